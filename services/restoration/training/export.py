"""Export a trained network to ONNX (opset 17, dynamic H/W) with its metadata JSON beside it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import onnx
import torch

from services.restoration.training.polyphase import fuse_skip

ONNX_IR_VERSION = 8  # onnxruntime 1.31 reads IR <= 13; opset 17 needs IR >= 8


def export_onnx(
    net: torch.nn.Module, example: torch.Tensor, path: Path, metadata: dict, sr_scale: int | None = None
) -> None:
    """Write `path` (.onnx) and `path.with_suffix('.json')` (metadata, with the file name filled in).

    `sr_scale`: the net is a residual SR net whose bicubic skip is rewritten into a fast polyphase conv.
    """
    net.eval()
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            net,
            (example,),
            buffer,
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, "output": {0: "n", 2: "oh", 3: "ow"}},
        )
    model = onnx.load_from_string(buffer.getvalue())
    model.ir_version = ONNX_IR_VERSION
    if sr_scale is not None:
        model = fuse_skip(model, sr_scale)
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    meta = dict(metadata, file=path.name)
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
