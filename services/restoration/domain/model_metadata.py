"""Model metadata: the JSON document beside each ONNX file, parsed and validated.

Required keys: name, task, version, file. Optional (defaults): scale (1), input_layout ("NCHW"),
color_space ("rgb"), value_range ([0, 1]), input_size (null = any size; [h, w] = fixed),
input_multiple (1), tile_size (256), tile_overlap (16), noise_level_input (false),
max_noise_sigma (55), labels ([]), score_threshold (0.25), iou_threshold (0.45), description ("").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from imagemesh_kit.errors import InvalidArgument


class ModelTask(enum.StrEnum):
    SUPER_RESOLUTION = "super_resolution"
    DENOISE = "denoise"
    FACE_DETECTION = "face_detection"
    OBJECT_DETECTION = "object_detection"
    FACE_RESTORATION = "face_restoration"


LAYOUTS = ("NCHW", "NHWC")
COLOR_SPACES = ("rgb", "bgr", "y")


@dataclass(frozen=True)
class ModelMetadata:
    """What the runtime needs to know to feed a model and read its output."""

    name: str
    task: ModelTask
    version: str
    file: str
    scale: int = 1
    input_layout: str = "NCHW"
    color_space: str = "rgb"
    value_range: tuple[float, float] = (0.0, 1.0)
    input_size: tuple[int, int] | None = None
    input_multiple: int = 1
    tile_size: int = 256
    tile_overlap: int = 16
    noise_level_input: bool = False
    max_noise_sigma: float = 55.0
    labels: tuple[str, ...] = ()
    score_threshold: float = 0.25
    iou_threshold: float = 0.45
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def channels(self) -> int:
        return 1 if self.color_space == "y" else 3


def _bad(key: str, description: str) -> InvalidArgument:
    return InvalidArgument.for_field(f"metadata.{key}", description, reason="INVALID_MODEL_METADATA")


def _int(doc: dict, key: str, default: int, low: int, high: int) -> int:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(key, f"must be an integer in [{low}, {high}]")
    return value


def _float(doc: dict, key: str, default: float, low: float, high: float) -> float:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _bad(key, f"must be a number in [{low}, {high}]")
    return float(value)


def _text(doc: dict, key: str, default: str | None = None) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str) or not value:
        raise _bad(key, "must be a non-empty string")
    return value


def parse_metadata(doc: dict[str, Any]) -> ModelMetadata:
    """Validate a metadata document; any problem -> InvalidArgument INVALID_MODEL_METADATA."""
    if not isinstance(doc, dict):
        raise _bad("(root)", "must be a JSON object")
    try:
        task = ModelTask(_text(doc, "task"))
    except ValueError:
        raise _bad("task", f"must be one of {', '.join(t.value for t in ModelTask)}") from None
    layout = _text(doc, "input_layout", "NCHW").upper()
    if layout not in LAYOUTS:
        raise _bad("input_layout", f"must be one of {', '.join(LAYOUTS)}")
    color = _text(doc, "color_space", "rgb").lower()
    if color not in COLOR_SPACES:
        raise _bad("color_space", f"must be one of {', '.join(COLOR_SPACES)}")
    value_range = doc.get("value_range", [0.0, 1.0])
    if (
        not isinstance(value_range, list | tuple)
        or len(value_range) != 2
        or not all(isinstance(v, int | float) for v in value_range)
        or value_range[1] <= value_range[0]
    ):
        raise _bad("value_range", "must be [low, high] with low < high")
    input_size = doc.get("input_size")
    if input_size is not None:
        if (
            not isinstance(input_size, list | tuple)
            or len(input_size) != 2
            or not all(isinstance(v, int) and v > 0 for v in input_size)
        ):
            raise _bad("input_size", "must be null or [height, width] of positive integers")
        input_size = (int(input_size[0]), int(input_size[1]))
    labels = doc.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
        raise _bad("labels", "must be a list of strings")
    if task is ModelTask.OBJECT_DETECTION and not labels:
        raise _bad("labels", "an object detector needs its class labels")
    tile_size = _int(doc, "tile_size", 256, 16, 4096)
    tile_overlap = _int(doc, "tile_overlap", 16, 0, 1024)
    if 2 * tile_overlap >= tile_size:
        raise _bad("tile_overlap", "must be less than half of tile_size")
    known = set(ModelMetadata.__dataclass_fields__)
    return ModelMetadata(
        name=_text(doc, "name"),
        task=task,
        version=_text(doc, "version"),
        file=_text(doc, "file"),
        scale=_int(doc, "scale", 1, 1, 8),
        input_layout=layout,
        color_space=color,
        value_range=(float(value_range[0]), float(value_range[1])),
        input_size=input_size,
        input_multiple=_int(doc, "input_multiple", 1, 1, 256),
        tile_size=tile_size,
        tile_overlap=tile_overlap,
        noise_level_input=bool(doc.get("noise_level_input", False)),
        max_noise_sigma=_float(doc, "max_noise_sigma", 55.0, 0.0, 255.0),
        labels=tuple(labels),
        score_threshold=_float(doc, "score_threshold", 0.25, 0.0, 1.0),
        iou_threshold=_float(doc, "iou_threshold", 0.45, 0.0, 1.0),
        description=str(doc.get("description", "")),
        extra={k: v for k, v in doc.items() if k not in known},
    )
