"""GIF: width and height from the logical screen descriptor, grown to cover the first frame.

Decoders (Pillow included) enlarge the canvas when the first frame reaches past the logical screen,
so a 1x1 screen with a 60000x60000 frame is a pixel bomb: the first image descriptor is read too
(skipping the colour table and extension blocks by their lengths, never reading pixel data).
"""

from __future__ import annotations

import struct

from ..errors import corrupt_image
from .source import ByteSource, read_exact

_IMAGE_DESCRIPTOR, _EXTENSION, _TRAILER = 0x2C, 0x21, 0x3B
_MAX_BLOCKS = 100_000  # bounds the walk over crafted files made of endless empty extensions


def read_gif_size(src: ByteSource) -> tuple[int, int]:
    """(width, height) of the canvas: the logical screen, enlarged to hold the first frame if needed."""
    width, height, flags = struct.unpack("<HHB", read_exact(src, 6, 5))
    if width == 0 or height == 0:
        raise corrupt_image("the GIF header has invalid dimensions")
    offset = 13 + (3 << ((flags & 0x07) + 1) if flags & 0x80 else 0)
    for _ in range(_MAX_BLOCKS):
        introducer = read_exact(src, offset, 1)[0]
        if introducer == _IMAGE_DESCRIPTOR:
            left, top, frame_w, frame_h = struct.unpack("<HHHH", read_exact(src, offset + 1, 8))
            return max(width, left + frame_w), max(height, top + frame_h)
        if introducer == _TRAILER:
            return width, height  # no frame at all: the decoder will refuse it
        if introducer != _EXTENSION:
            raise corrupt_image("the GIF header is malformed")
        offset = _skip_sub_blocks(src, offset + 2)
    raise corrupt_image("the GIF header is malformed")


def _skip_sub_blocks(src: ByteSource, offset: int) -> int:
    """The offset just past a chain of data sub-blocks (size byte + data, ended by a 0 size)."""
    for _ in range(_MAX_BLOCKS):
        size = read_exact(src, offset, 1)[0]
        offset += 1 + size
        if size == 0:
            return offset
    raise corrupt_image("the GIF header is malformed")
