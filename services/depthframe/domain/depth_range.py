"""Inclusive depth-range selection over sorted depths, compared through exact integer depth keys.

``depth_min``/``depth_max`` may be None (open end). A query for 9000.1 matches the stored 9000.1 even
if one side computed it as 9000.0 + 0.1: both sides are compared as ``round(depth * 10**4)``.
An empty range (nothing between the bounds) is an empty result, not an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .depth_keys import DEPTH_ABS_MAX, depth_key, depth_keys


@dataclass(frozen=True)
class DepthRange:
    """Validated inclusive bounds as depth keys (None = unbounded)."""

    key_min: int | None
    key_max: int | None


def _bound(value: float | None, field_name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InvalidArgument.for_field(field_name, "must be a number", reason="INVALID_DEPTH_BOUND")
    if not math.isfinite(value) or abs(value) > DEPTH_ABS_MAX:
        raise InvalidArgument.for_field(
            field_name, f"must be a finite number within ±{DEPTH_ABS_MAX:g}", reason="INVALID_DEPTH_BOUND"
        )
    return depth_key(value)


def depth_range(depth_min: float | None = None, depth_max: float | None = None) -> DepthRange:
    """Validate bounds; depth_min > depth_max (after keying) raises InvalidArgument (DEPTH_RANGE_REVERSED)."""
    key_min, key_max = _bound(depth_min, "depth_min"), _bound(depth_max, "depth_max")
    if key_min is not None and key_max is not None and key_min > key_max:
        raise InvalidArgument.for_field(
            "depth_min", "must not be greater than depth_max", reason="DEPTH_RANGE_REVERSED"
        )
    return DepthRange(key_min, key_max)


def select_rows(depths: np.ndarray, depth_min: float | None = None, depth_max: float | None = None) -> slice:
    """The slice of rows of sorted ``depths`` with depth_min <= depth <= depth_max (inclusive, by key)."""
    bounds = depth_range(depth_min, depth_max)
    keys = depth_keys(depths)
    start = 0 if bounds.key_min is None else int(np.searchsorted(keys, bounds.key_min, side="left"))
    stop = keys.size if bounds.key_max is None else int(np.searchsorted(keys, bounds.key_max, side="right"))
    return slice(start, max(start, stop))
