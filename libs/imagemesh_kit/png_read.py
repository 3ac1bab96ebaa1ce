"""A fast PNG reader for the common case: non-interlaced 8/16-bit gray, RGB or RGBA.

libpng (behind OpenCV and Pillow) inflates with the system zlib and unfilters Paeth rows byte by byte; on a
2 MP photo that is ~65-70 ms. Here the image data is inflated in one call by libdeflate (the `deflate` package,
GIL released; ~1.6x zlib-ng's speed here, 2x zlib's) into a buffer of the exact size, and unfiltered by the
kit's C kernel (imagemesh_kit.native, GIL released, SSE2 for 3/4-byte pixels): ~25-35 ms, and two images decode
side by side on two cores (docs/BENCHMARKS.md, quality).

`read_png` answers None whenever it is not sure to give what OpenCV's `imdecode(..., IMREAD_UNCHANGED)` would
(in RGB order): other colour types or bit depths, interlacing, transparency chunks, any damage (CRC, zlib,
length), or the native kernel not built. Callers then decode the usual way, which also reports the errors.
Chunk CRCs are checked like libpng does; the zlib stream's Adler-32 covers the pixel data.
"""

from __future__ import annotations

import struct

import deflate
import numpy as np
from zlib_ng import zlib_ng

from imagemesh_kit import native

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 6: 4}  # colour type -> channels: gray, RGB, RGBA (palette and gray+alpha: not here)
_DECLINED_CHUNKS = {b"tRNS", b"fdAT", b"acTL"}  # transparency keys and animation change what a reader returns
_MAX_DEFLATE_RATIO = 1032  # deflate expands at most ~1032:1 (258-byte matches in ~2 bits)


def _chunks(data: bytes):
    """(type, body) of each chunk up to IEND; None at the first sign of damage."""
    view = memoryview(data)
    pos, end = len(SIGNATURE), len(data)
    while pos + 12 <= end:
        (length,) = struct.unpack_from(">I", data, pos)
        kind = bytes(view[pos + 4 : pos + 8])
        body_end = pos + 8 + length
        if body_end + 4 > end:
            return
        (crc,) = struct.unpack_from(">I", data, body_end)
        if zlib_ng.crc32(view[pos + 8 : body_end], zlib_ng.crc32(kind)) != crc:
            yield None
            return
        yield kind, view[pos + 8 : body_end]
        if kind == b"IEND":
            return
        pos = body_end + 4


def read_png(data: bytes) -> np.ndarray | None:
    """HxW (gray), HxWx3 (RGB) or HxWx4 (RGBA) uint8/uint16 pixels of a PNG, or None (see the module)."""
    if not data.startswith(SIGNATURE):
        return None
    lib = native.load()
    if lib is None:
        return None
    header, idat, ended = None, [], False
    for chunk in _chunks(data):
        if chunk is None:
            return None
        kind, body = chunk
        if kind == b"IHDR":
            header = bytes(body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            ended = True
        elif kind in _DECLINED_CHUNKS or (kind[0] < 0x61 and kind != b"PLTE"):  # unknown critical chunk
            return None
    if header is None or len(header) != 13 or not idat or not ended:
        return None
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", header)
    channels = _CHANNELS.get(colour)
    if channels is None or depth not in (8, 16) or (compression, filtering, interlace) != (0, 0, 0):
        return None
    if width == 0 or height == 0:
        return None
    bpp = channels * depth // 8
    rowbytes = width * bpp
    expected = height * (rowbytes + 1)
    compressed = b"".join(idat)
    if expected > _MAX_DEFLATE_RATIO * len(compressed) + 64:
        return None  # a header claiming more pixels than its data could hold: no buffer of that size for it
    try:  # an error when the stream is longer, fewer bytes when shorter: both are libpng's to judge
        raw = deflate.zlib_decompress(compressed, expected)
    except deflate.DeflateError:
        return None
    if len(raw) != expected:
        return None
    out = np.empty((height, rowbytes), dtype=np.uint8)
    if lib.png_unfilter(np.frombuffer(raw, np.uint8).ctypes.data, out.ctypes.data, height, rowbytes, bpp) != 0:
        return None
    shape = (height, width) if channels == 1 else (height, width, channels)
    if depth == 16:
        return out.view(">u2").reshape(shape).astype(np.uint16)
    return out.reshape(shape)


__all__ = ["SIGNATURE", "read_png"]
