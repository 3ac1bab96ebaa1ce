"""Cheap completeness checks on a file's end, for formats whose decoders tolerate a cut tail.

PNG must end with its IEND chunk (Pillow's verify stops before checking IEND's CRC); GIF must end
with its 0x3B trailer; a WebP's RIFF size must fit in the file. Other formats rely on the decode.
"""

from __future__ import annotations

import struct

from .errors import corrupt_image
from .formats import ImageFormat
from .headers.source import ByteSource, read_exact

_PNG_IEND = b"\x00\x00\x00\x00IEND\xae\x42\x60\x82"
_GIF_TRAILER = b"\x3b"


def check_complete(fmt: ImageFormat, src: ByteSource, size_bytes: int) -> None:
    """Raise CORRUPT_IMAGE when the end of the file shows it was truncated."""
    if fmt is ImageFormat.PNG:
        complete = size_bytes >= 12 and src.read_at(size_bytes - 12, 12) == _PNG_IEND
    elif fmt is ImageFormat.GIF:
        complete = src.read_at(size_bytes - 1, 1) == _GIF_TRAILER
    elif fmt is ImageFormat.WEBP:
        (riff_size,) = struct.unpack("<I", read_exact(src, 4, 4))
        complete = riff_size + 8 <= size_bytes
    else:
        complete = True
    if not complete:
        raise corrupt_image("the image is truncated")
