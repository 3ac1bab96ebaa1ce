"""Generates the Python stubs and Envoy's descriptor set from protos/ (used by `make` and the Dockerfile).

    python -m imagemesh_kit.mesh.codegen [--out libs/gen]

googleapis' protos (google/api, google/rpc) come from the installed googleapis-common-protos package.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import sysconfig
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[3]


def generate(out: Path) -> None:
    protos = sorted(str(p.relative_to(ROOT / "protos")) for p in (ROOT / "protos").rglob("*.proto"))
    site = sysconfig.get_paths()["purelib"]
    builtin = str(Path(protoc.__file__).parent / "_proto")
    includes = [f"-I{ROOT / 'protos'}", f"-I{site}", f"-I{builtin}"]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    stubs = ["protoc", *includes, f"--python_out={out}", f"--pyi_out={out}", f"--grpc_python_out={out}", *protos]
    descriptor = [
        "protoc",
        *includes,
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={out / 'imagemesh.pb'}",
        *protos,
        "google/rpc/error_details.proto",
    ]
    for argv in (stubs, descriptor):
        if protoc.main(argv) != 0:
            raise SystemExit(f"protoc failed: {' '.join(argv)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "libs" / "gen")
    generate(parser.parse_args().out)
    print(f"generated stubs and descriptor set in {parser.parse_args().out}", file=sys.stderr)


if __name__ == "__main__":
    main()
