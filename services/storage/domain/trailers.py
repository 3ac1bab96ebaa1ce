"""Cheap completeness checks on a file's end, for formats whose decoders tolerate a cut tail.

PNG must end with its IEND chunk (Pillow's verify stops before checking IEND's CRC); GIF must end
with its 0x3B trailer; a WebP's RIFF size must fit in the file; a BMP must hold its declared file size
and, when uncompressed, all its rows (a cut in the last row's padding goes unnoticed by decoders).
Other formats rely on the decode.
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
    elif fmt is ImageFormat.BMP:
        complete = _bmp_needed_bytes(src) <= size_bytes
    else:
        complete = True
    if not complete:
        raise corrupt_image("the image is truncated")


def _bmp_needed_bytes(src: ByteSource) -> int:
    """The size a BMP's header promises: its bfSize, or pixel offset + rows for uncompressed data."""
    file_size, pixel_offset, dib_size = struct.unpack("<I4xII", read_exact(src, 2, 16))
    if dib_size == 12:
        width, height, bits = struct.unpack("<HH2xH", read_exact(src, 18, 8))
        compression = 0
    else:
        width, height, bits, compression = struct.unpack("<ii2xHI", read_exact(src, 18, 16))
    rows_bytes = 0
    if compression in (0, 3):  # BI_RGB, BI_BITFIELDS: fixed-size rows padded to 4 bytes
        rows_bytes = abs(height) * ((abs(width) * bits + 31) // 32 * 4)
    return max(file_size, pixel_offset + rows_bytes)
