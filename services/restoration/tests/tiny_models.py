"""Tiny ONNX models built with onnx.helper for the tests (no training, no downloads)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8


def _save(graph: onnx.GraphProto, directory: Path, metadata: dict) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    path = directory / metadata["file"]
    onnx.save(model, str(path))
    (directory / (path.stem + ".json")).write_text(json.dumps(metadata))
    return path


def _io(name: str, channels: int, size: tuple | None = None) -> onnx.ValueInfoProto:
    h, w = size or ("h", "w")
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["n", channels, h, w])


def nearest_upsampler(directory: Path, scale: int = 2, name: str = "tiny-nearest", color: str = "rgb") -> Path:
    """super_resolution model: nearest-neighbour upsampling by `scale`."""
    channels = 1 if color == "y" else 3
    scales = numpy_helper.from_array(np.array([1, 1, scale, scale], np.float32), "scales")
    node = helper.make_node("Resize", ["input", "", "scales"], ["output"], mode="nearest")
    graph = helper.make_graph([node], "up", [_io("input", channels)], [_io("output", channels)], [scales])
    meta = {
        "name": name,
        "task": "super_resolution",
        "version": "0.0.1",
        "file": f"{name}.onnx",
        "scale": scale,
        "color_space": color,
        "tile_size": 64,
        "tile_overlap": 8,
    }
    return _save(graph, directory, meta)


def identity_denoiser(directory: Path, name: str = "tiny-identity", noise_level_input: bool = True) -> Path:
    """denoise model: returns its RGB input (drops the noise-level channel when it has one)."""
    channels = 4 if noise_level_input else 3
    inits = [
        numpy_helper.from_array(np.array(v, np.int64), n) for n, v in (("starts", [0]), ("ends", [3]), ("axes", [1]))
    ]
    node = helper.make_node("Slice", ["input", "starts", "ends", "axes"], ["output"])
    graph = helper.make_graph([node], "id", [_io("input", channels)], [_io("output", 3)], inits)
    meta = {
        "name": name,
        "task": "denoise",
        "version": "0.0.1",
        "file": f"{name}.onnx",
        "noise_level_input": noise_level_input,
        "input_multiple": 2,
        "tile_size": 64,
        "tile_overlap": 8,
    }
    return _save(graph, directory, meta)


def inverting_face_model(directory: Path, name: str = "tiny-face", size: int = 64) -> Path:
    """face_restoration model with a fixed input size: returns 1 - input (easy to spot)."""
    one = numpy_helper.from_array(np.array(1.0, np.float32), "one")
    node = helper.make_node("Sub", ["one", "input"], ["output"])
    graph = helper.make_graph([node], "inv", [_io("input", 3, (size, size))], [_io("output", 3, (size, size))], [one])
    meta = {
        "name": name,
        "task": "face_restoration",
        "version": "0.0.1",
        "file": f"{name}.onnx",
        "input_size": [size, size],
    }
    return _save(graph, directory, meta)


def constant_yolo(
    directory: Path, output: np.ndarray, labels: list[str], name: str = "tiny-yolo", size: int = 64
) -> Path:
    """object_detection model whose output is `output` whatever the input (YOLOv5/v8 layouts)."""
    const = numpy_helper.from_array(output.astype(np.float32), "const")
    zero = numpy_helper.from_array(np.array(0.0, np.float32), "zero")
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["const", "nothing"], ["output"]),
    ]
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, list(output.shape))
    graph = helper.make_graph(nodes, "yolo", [_io("input", 3, (size, size))], [out], [const, zero])
    meta = {
        "name": name,
        "task": "object_detection",
        "version": "0.0.1",
        "file": f"{name}.onnx",
        "input_size": [size, size],
        "labels": labels,
        "score_threshold": 0.3,
    }
    return _save(graph, directory, meta)
