"""GIF: width and height from the logical screen descriptor."""

from __future__ import annotations

import struct

from ..errors import corrupt_image
from .source import ByteSource, read_exact


def read_gif_size(src: ByteSource) -> tuple[int, int]:
    """(width, height) of the logical screen (little-endian u16 at bytes 6 and 8)."""
    width, height = struct.unpack("<HH", read_exact(src, 6, 4))
    if width == 0 or height == 0:
        raise corrupt_image("the GIF header has invalid dimensions")
    return width, height
