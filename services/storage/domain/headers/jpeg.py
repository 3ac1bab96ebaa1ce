"""JPEG: width and height from the first SOFn segment, found by walking the marker segments.

Segments before the frame header (APPn / EXIF, DQT, DHT, COM...) are skipped by their length
fields, so only a few bytes per segment are read, never the entropy-coded data.
"""

from __future__ import annotations

import struct

from ..errors import corrupt_image
from .source import ByteSource, read_exact

# Start-of-frame markers: C0..CF except DHT (C4), JPG (C8) and DAC (CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_SOS, _EOI = 0xDA, 0xD9
_MAX_SEGMENTS = 4096  # far more than any real file; stops crafted endless marker runs
_MAX_FILL_BYTES = 64


def read_jpeg_size(src: ByteSource) -> tuple[int, int]:
    """(width, height) from the frame header; CORRUPT_IMAGE when there is none before the scan."""
    offset = 2  # after SOI
    for _ in range(_MAX_SEGMENTS):
        marker, offset = _next_marker(src, offset)
        if marker in _STANDALONE_MARKERS:
            continue
        if marker in (_SOS, _EOI):
            break
        (length,) = struct.unpack(">H", read_exact(src, offset, 2))
        if length < 2:
            raise corrupt_image("the JPEG header is malformed")
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", read_exact(src, offset + 3, 4))
            if width == 0 or height == 0:
                raise corrupt_image("the JPEG header has invalid dimensions")
            return width, height
        offset += length
    raise corrupt_image("the JPEG has no frame header")


def _next_marker(src: ByteSource, offset: int) -> tuple[int, int]:
    """The marker code at `offset` (after optional 0xFF fill bytes) and the offset just past it."""
    if read_exact(src, offset, 1) != b"\xff":
        raise corrupt_image("the JPEG header is malformed")
    for _ in range(_MAX_FILL_BYTES):
        offset += 1
        code = read_exact(src, offset, 1)[0]
        if code != 0xFF:
            if code == 0x00:
                raise corrupt_image("the JPEG header is malformed")
            return code, offset + 1
    raise corrupt_image("the JPEG header is malformed")
