"""What the service stores about a dataset and a custom colormap (plain records, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imagemesh_kit.errors import InvalidArgument

from .color_scale import ColorScale
from .colormap_stops import ColorStop
from .dataset import SkippedRow


@dataclass(frozen=True)
class DatasetRecord:
    id: str
    owner_id: str
    name: str
    rows: int
    skipped_rows: tuple[SkippedRow, ...]
    skipped_count: int
    depth_min: float
    depth_max: float
    source_width: int
    width: int
    color_scale: ColorScale
    created_at: datetime


@dataclass(frozen=True)
class ColormapRecord:
    owner_id: str
    name: str
    stops: tuple[ColorStop, ...]
    created_at: datetime


MAX_NAME_LENGTH = 200


def check_dataset_name(name: str) -> str:
    """A dataset's name: 1..200 characters after trimming, no control characters."""
    name = (name or "").strip()
    if not name:
        raise InvalidArgument.for_field("name", "is required", reason="NAME_REQUIRED")
    if len(name) > MAX_NAME_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InvalidArgument.for_field(
            "name", f"must be at most {MAX_NAME_LENGTH} printable characters", reason="INVALID_NAME"
        )
    return name
