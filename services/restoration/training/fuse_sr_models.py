"""Rewrite already-exported residual SR models in place: cubic Resize skip -> polyphase conv skip.

Idempotent (models without a Resize node are only pruned of unused nodes). Needs only onnx + numpy:
`PYTHONPATH=libs:. .venv/bin/python -m services.restoration.training.fuse_sr_models`
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx

from services.restoration.training.polyphase import fuse_skip, prune

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def main() -> None:
    for meta_path in sorted(MODELS_DIR.glob("espcn_y_x*.json")):
        meta = json.loads(meta_path.read_text())
        path = MODELS_DIR / meta["file"]
        model = onnx.load(str(path))
        if any(n.op_type == "Resize" for n in model.graph.node):
            model = fuse_skip(model, int(meta["scale"]))
        else:
            model = prune(model)
        onnx.checker.check_model(model)
        onnx.save(model, str(path))
        print(f"{path.name}: fused and pruned")


if __name__ == "__main__":
    main()
