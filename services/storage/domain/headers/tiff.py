"""TIFF (both byte orders): width and height from tags 256/257 of the first IFD."""

from __future__ import annotations

import struct

from ..errors import corrupt_image, unsupported_media_type
from .source import ByteSource, read_exact

_IMAGE_WIDTH, _IMAGE_LENGTH = 256, 257
_SHORT, _LONG = 3, 4
_ENTRY_SIZE = 12
_MAX_ENTRIES = 4096


def read_tiff_size(src: ByteSource) -> tuple[int, int]:
    """(width, height) of the first image (IFD0). BigTIFF is not supported."""
    header = read_exact(src, 0, 8)
    order = "<" if header[:2] == b"II" else ">"
    (magic,) = struct.unpack(order + "H", header[2:4])
    if magic != 42:
        raise unsupported_media_type()  # 43 = BigTIFF
    (ifd_offset,) = struct.unpack(order + "I", header[4:8])
    if ifd_offset < 8:
        raise corrupt_image("the TIFF header is malformed")
    (count,) = struct.unpack(order + "H", read_exact(src, ifd_offset, 2))
    if count == 0 or count > _MAX_ENTRIES:
        raise corrupt_image("the TIFF header is malformed")
    entries = read_exact(src, ifd_offset + 2, count * _ENTRY_SIZE)
    found: dict[int, int] = {}
    for index in range(count):
        entry = entries[index * _ENTRY_SIZE : (index + 1) * _ENTRY_SIZE]
        tag, kind, n = struct.unpack(order + "HHI", entry[:8])
        if tag in (_IMAGE_WIDTH, _IMAGE_LENGTH) and n == 1:
            if kind == _SHORT:
                found[tag] = struct.unpack(order + "H", entry[8:10])[0]
            elif kind == _LONG:
                found[tag] = struct.unpack(order + "I", entry[8:12])[0]
    width, height = found.get(_IMAGE_WIDTH, 0), found.get(_IMAGE_LENGTH, 0)
    if width == 0 or height == 0:
        raise corrupt_image("the TIFF header has no valid dimensions")
    return width, height
