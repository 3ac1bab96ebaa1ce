"""WebP: width and height from the first chunk (VP8 lossy, VP8L lossless or VP8X extended)."""

from __future__ import annotations

import struct

from ..errors import corrupt_image
from .source import ByteSource, read_exact

_VP8_START_CODE = b"\x9d\x01\x2a"
_VP8L_SIGNATURE = 0x2F


def read_webp_size(src: ByteSource) -> tuple[int, int]:
    """(width, height) of the canvas (VP8X) or of the single frame (VP8 / VP8L)."""
    chunk = read_exact(src, 12, 4)
    if chunk == b"VP8 ":
        frame = read_exact(src, 20, 10)
        if frame[3:6] != _VP8_START_CODE:
            raise corrupt_image("the WebP header is malformed")
        width, height = struct.unpack("<HH", frame[6:10])
        width, height = width & 0x3FFF, height & 0x3FFF
    elif chunk == b"VP8L":
        frame = read_exact(src, 20, 5)
        if frame[0] != _VP8L_SIGNATURE:
            raise corrupt_image("the WebP header is malformed")
        (bits,) = struct.unpack("<I", frame[1:5])
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif chunk == b"VP8X":
        frame = read_exact(src, 20, 10)
        width = int.from_bytes(frame[4:7], "little") + 1
        height = int.from_bytes(frame[7:10], "little") + 1
    else:
        raise corrupt_image("the WebP header is malformed")
    if width == 0 or height == 0:
        raise corrupt_image("the WebP header has invalid dimensions")
    return width, height
