"""Area-averaging resize of the whole depth image to a new width (height = number of depths unchanged)."""

from __future__ import annotations

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument

DEFAULT_WIDTH = 150
#: A sanity cap on the target width (the header allows up to 100,000 source columns).
MAX_WIDTH = 32_767


def validate_width(width: int, source_width: int | None = None) -> int:
    """Check a target width: an integer with 1 <= width <= source_width (no upscaling; None = not known yet).

    Area averaging is a shrinking filter; widening would invent pixels that are not in the data,
    so width > source_width is refused (width == source_width keeps the rows unchanged).
    """
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)):
        raise InvalidArgument.for_field("width", "must be an integer", reason="INVALID_WIDTH")
    if width < 1 or width > MAX_WIDTH:
        raise InvalidArgument.for_field("width", f"must be between 1 and {MAX_WIDTH}", reason="INVALID_WIDTH")
    if source_width is not None and width > source_width:
        raise InvalidArgument.for_field(
            "width",
            f"must not exceed the file's {source_width} pixel columns (no upscaling)",
            reason="WIDTH_EXCEEDS_SOURCE",
        )
    return int(width)


def resize_rows(pixels: np.ndarray, width: int = DEFAULT_WIDTH) -> np.ndarray:
    """Resize uint8[n, N] rows to uint8[n, width] by area averaging (cv2 INTER_AREA over the whole image).

    Each output pixel is the mean of the input pixels it covers (fractional overlaps weighted),
    rounded half to even, computed by OpenCV in floating point and saturated to uint8 once.
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 2:
        raise InvalidArgument.for_field("pixels", "must be a 2-D uint8 array", reason="INVALID_PIXELS")
    width = validate_width(width, pixels.shape[1])
    if pixels.shape[0] == 0:
        return np.zeros((0, width), dtype=np.uint8)
    if width == pixels.shape[1]:
        return np.array(pixels, copy=True)
    return cv2.resize(np.ascontiguousarray(pixels), (width, pixels.shape[0]), interpolation=cv2.INTER_AREA)
