"""PNG: width and height from the IHDR chunk, which must come first."""

from __future__ import annotations

import struct

from ..errors import corrupt_image
from .source import ByteSource, read_exact

_MAX_DIMENSION = 2**31 - 1  # PNG spec limit


def read_png_size(src: ByteSource) -> tuple[int, int]:
    """(width, height) from the IHDR chunk at byte 8."""
    length, chunk_type, width, height = struct.unpack(">I4sII", read_exact(src, 8, 16))
    if chunk_type != b"IHDR" or length != 13:
        raise corrupt_image("the PNG header is malformed")
    if not (0 < width <= _MAX_DIMENSION and 0 < height <= _MAX_DIMENSION):
        raise corrupt_image("the PNG header has invalid dimensions")
    return width, height
