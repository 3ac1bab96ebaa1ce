"""`make run`: the whole mesh on embedded defaults (SQLite and blobs under var/), until Ctrl-C.

Environment: IMAGEMESH_LISTEN_PORT (8080), IMAGEMESH_ADMIN_PORT (9901), IMAGEMESH_VAR_DIR (var),
IMAGEMESH_PG_URL (use PostgreSQL instead of SQLite), IMAGEMESH_CORS_ORIGINS, IMAGEMESH_RATE_LIMIT_PER_MINUTE,
IMAGEMESH_SERVICE_PORT_<NAME> (a service's gRPC port instead of the registry's).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from imagemesh_kit.mesh.launcher import Mesh, MeshConfig
from imagemesh_kit.mesh.registry import REPO_ROOT, load_registry


def main() -> int:
    registry = load_registry()
    workdir = Path(os.environ.get("IMAGEMESH_VAR_DIR", REPO_ROOT / "var")).resolve()
    config = MeshConfig(
        workdir=workdir,
        listen_port=int(os.environ.get("IMAGEMESH_LISTEN_PORT", registry.listen_port)),
        admin_port=int(os.environ.get("IMAGEMESH_ADMIN_PORT", registry.admin_port)),
        pg_url=os.environ.get("IMAGEMESH_PG_URL") or None,
        rate_limit_per_minute=int(os.environ.get("IMAGEMESH_RATE_LIMIT_PER_MINUTE", "60")),
        service_ports={
            e.name: int(os.environ[f"IMAGEMESH_SERVICE_PORT_{e.name.upper()}"])
            for e in registry.services
            if f"IMAGEMESH_SERVICE_PORT_{e.name.upper()}" in os.environ
        },
    )
    mesh = Mesh(registry, config)
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"starting {len(mesh.entries)} services and Envoy; data in {workdir}", flush=True)
    try:
        health = mesh.start(timeout_s=90)
    except (TimeoutError, RuntimeError) as exc:
        print(f"the mesh did not come up:\n{exc}", file=sys.stderr)
        mesh.stop()
        return 1
    del health
    print(
        f"""
imagemesh is up.
  REST + gRPC (Envoy):  {mesh.base_url}    e.g. curl {mesh.base_url}/healthz
  grpcurl:              grpcurl -plaintext {mesh.grpc_target} list
  Envoy admin:          http://127.0.0.1:{config.admin_port}
  services:             {", ".join(f"{n}@{mesh.target(n)}" for n in mesh.ports)}
  logs:                 {workdir / "log"}
Ctrl-C stops everything.""",
        flush=True,
    )
    code = 0
    while not stopping:
        try:
            mesh.check_alive()
        except RuntimeError as exc:
            print(f"a process died; stopping the mesh:\n{exc}", file=sys.stderr)
            code = 1
            break
        time.sleep(0.5)
    print("stopping...", flush=True)
    mesh.stop()
    print("stopped.", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
