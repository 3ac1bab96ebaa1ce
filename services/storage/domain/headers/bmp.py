"""BMP: width and height from the DIB header (OS/2 core header or BITMAPINFOHEADER and later)."""

from __future__ import annotations

import struct

from ..errors import corrupt_image
from .source import ByteSource, read_exact

_CORE_HEADER_SIZE = 12
_KNOWN_INFO_HEADER_SIZES = (16, 40, 52, 56, 64, 108, 124)


def read_bmp_size(src: ByteSource) -> tuple[int, int]:
    """(width, height); a negative height (top-down bitmap) counts by its absolute value."""
    (dib_size,) = struct.unpack("<I", read_exact(src, 14, 4))
    if dib_size == _CORE_HEADER_SIZE:
        width, height = struct.unpack("<HH", read_exact(src, 18, 4))
    elif dib_size in _KNOWN_INFO_HEADER_SIZES:
        width, height = struct.unpack("<ii", read_exact(src, 18, 8))
        height = abs(height)
    else:
        raise corrupt_image("the BMP header is malformed")
    if width <= 0 or height <= 0:
        raise corrupt_image("the BMP header has invalid dimensions")
    return width, height
