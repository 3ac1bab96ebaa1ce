"""Sample images for the tests, made on the fly with Pillow / OpenCV from scikit-image's data."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

import numpy as np
from PIL import Image
from skimage import data


@cache
def astronaut() -> np.ndarray:
    return data.astronaut()


@cache
def chelsea() -> np.ndarray:
    return data.chelsea()  # 300 x 451, not square


def encode(array: np.ndarray | Image.Image, fmt: str, **options: object) -> bytes:
    image = array if isinstance(array, Image.Image) else Image.fromarray(array)
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def decode(data_bytes: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data_bytes))
    image.load()
    return image


FORMATS = ["PNG", "JPEG", "WEBP", "GIF", "TIFF", "BMP"]


@cache
def sample(fmt: str) -> bytes:
    """chelsea (451 x 300) in `fmt`."""
    return encode(chelsea(), fmt)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and a valid IHDR claiming width x height, then a tiny IDAT and IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def minimal_tiff(width: int, height: int, order: str, long_dims: bool = False) -> bytes:
    """An uncompressed 8-bit grey TIFF in byte order '<' (II) or '>' (MM), written by hand."""
    pixels = bytes((x * 7 + y * 13) % 256 for y in range(height) for x in range(width))
    dim_type, dim_fmt = (4, "I") if long_dims else (3, "H")
    entries = [
        (256, dim_type, 1, dim_fmt, width),
        (257, dim_type, 1, dim_fmt, height),
        (258, 3, 1, "H", 8),
        (259, 3, 1, "H", 1),
        (262, 3, 1, "H", 1),
        (273, 4, 1, "I", 0),  # strip offset, patched below
        (277, 3, 1, "H", 1),
        (278, 4, 1, "I", height),
        (279, 4, 1, "I", len(pixels)),
    ]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(entries) + 4
    magic = b"II" if order == "<" else b"MM"
    out = magic + struct.pack(order + "HI", 42, ifd_offset) + struct.pack(order + "H", len(entries))
    for tag, kind, count, fmt, value in entries:
        value = data_offset if tag == 273 else value
        packed = struct.pack(order + fmt, value).ljust(4, b"\0")
        out += struct.pack(order + "HHI", tag, kind, count) + packed
    return out + struct.pack(order + "I", 0) + pixels


def bmp_core_header(width: int, height: int) -> bytes:
    """An OS/2 (BITMAPCOREHEADER) 24-bit BMP."""
    row = (width * 3 + 3) // 4 * 4
    pixels = bytes(row * height)
    header = struct.pack("<IHHHH", 12, width, height, 1, 24)
    offset = 14 + len(header)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + header + pixels


def jpeg_with_orientation(array: np.ndarray, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(array, "JPEG", quality=92, exif=exif.tobytes())


def gif_with_frame(screen: tuple[int, int], frame: tuple[int, int]) -> bytes:
    """A GIF whose first frame (with a comment extension before it) differs from its logical screen."""
    header = b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    comment = b"\x21\xfe\x05hello\x00"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, *frame, 0)
    return header + comment + descriptor + b"\x02\x02\x44\x01\x00\x3b"
