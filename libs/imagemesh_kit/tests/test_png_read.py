"""imagemesh_kit.png_read: the fast PNG reader gives exactly the pixels (OpenCV's, in RGB order) or declines.

PNGs are written here by a small reference encoder that applies one chosen filter per row (the spec's
definitions, byte by byte in Python), so every filter type meets every pixel size the reader handles.
"""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from imagemesh_kit import native, png_read
from imagemesh_kit.png import encode_png
from imagemesh_kit.png_read import SIGNATURE, read_png

COLOUR_TYPE = {1: 0, 3: 2, 4: 6}


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _filter_row(kind: int, row: bytes, up: bytes, bpp: int) -> bytes:
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = up[i]
        c = up[i - bpp] if i >= bpp else 0
        predicted = (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]
        out[i] = (x - predicted) % 256
    return bytes([kind]) + bytes(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def reference_png(pixels: np.ndarray, filters: list[int], *, extra: list[tuple[bytes, bytes]] = ()) -> bytes:
    """A PNG of `pixels` (HxW or HxWxC, uint8/uint16) with filters[y] on row y (cycled)."""
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    depth = 8 * pixels.dtype.itemsize
    samples = pixels.astype(">u2") if depth == 16 else pixels
    rows = np.ascontiguousarray(samples).view(np.uint8).reshape(h, -1)
    bpp = channels * depth // 8
    up = bytes(rows.shape[1])
    data = bytearray()
    for y in range(h):
        row = rows[y].tobytes()
        data += _filter_row(filters[y % len(filters)], row, up, bpp)
        up = row
    header = struct.pack(">IIBBBBB", w, h, depth, COLOUR_TYPE[channels], 0, 0, 0)
    body = [_chunk(b"IHDR", header), *(_chunk(k, v) for k, v in extra)]
    compressed = zlib.compress(bytes(data), 6)
    half = len(compressed) // 2  # two IDAT chunks: the reader must join them
    body += [_chunk(b"IDAT", compressed[:half]), _chunk(b"IDAT", compressed[half:]), _chunk(b"IEND", b"")]
    return SIGNATURE + b"".join(body)


def opencv_rgb(data: bytes) -> np.ndarray:
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels.ndim == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB if pixels.shape[2] == 3 else cv2.COLOR_BGRA2RGBA)
    return pixels


def random_pixels(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)


def test_the_native_kernel_is_built_in_this_checkout() -> None:
    # make setup builds it; without it the reader declines everything (correct, but slow)
    assert native.load() is not None, f"{native.LIBRARY} missing: run `make setup`"


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("filters", [[0], [1], [2], [3], [4], [4, 3, 1, 0, 2, 4, 4, 3]], ids=str)
def test_every_filter_and_pixel_size_reads_back_exactly(channels: int, dtype: type, filters: list[int]) -> None:
    shape = (9, 13) if channels == 1 else (9, 13, channels)
    pixels = random_pixels(shape, dtype, seed=channels * 10 + len(filters))
    data = reference_png(pixels, filters)
    out = read_png(data)
    assert out is not None
    assert out.dtype == dtype and out.shape == pixels.shape
    np.testing.assert_array_equal(out, pixels)
    np.testing.assert_array_equal(out, opencv_rgb(data))


@pytest.mark.parametrize("channels", [3, 4])
@pytest.mark.parametrize("pair", [(first, second) for first in range(5) for second in range(5)], ids=str)
def test_rows_unfiltered_two_at_a_time_for_every_pair_of_filters(channels: int, pair: tuple[int, int]) -> None:
    """8-bit RGB/RGBA rows are unfiltered in pairs (the second trailing the first by a pixel) whenever either
    row's filter depends on its left neighbour: every pair of filter types, both orders, an odd last row."""
    pixels = random_pixels((7, 11, channels), np.uint8, seed=sum(pair) + channels)
    for filters in (list(pair), [pair[0], *pair]):  # pairs starting on even rows, then on odd rows
        np.testing.assert_array_equal(read_png(reference_png(pixels, filters)), pixels)


@pytest.mark.parametrize("width", [1, 2, 5, 64])
def test_narrow_and_one_pixel_rows(width: int) -> None:
    pixels = random_pixels((4, width, 3), np.uint8, seed=width)
    np.testing.assert_array_equal(read_png(reference_png(pixels, [4, 3, 1, 2])), pixels)


def test_photos_written_by_opencv_pillow_and_the_kit_match_opencv() -> None:
    # smooth content with noise: OpenCV's adaptive filtering picks a mix of all five filters
    y, x = np.mgrid[0:120, 0:170]
    rng = np.random.default_rng(3)
    base = np.stack([x * 1.5, y * 2.0, (x + y) * 0.8], axis=2) + rng.normal(0, 6, (120, 170, 3))
    rgb = np.clip(base, 0, 255).astype(np.uint8)
    rgba = np.dstack([rgb, rgb[..., 1]])
    ok, cv_png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    encoded = [cv_png.tobytes(), encode_png(rgb), encode_png(rgba), encode_png(rgb.astype(np.uint16) * 257)]
    for mode, arr in (("RGB", rgb), ("RGBA", rgba), ("L", rgb[..., 0])):
        buf = io.BytesIO()
        Image.fromarray(arr, mode=mode).save(buf, format="PNG", optimize=True)
        encoded.append(buf.getvalue())
    for data in encoded:
        out = read_png(data)
        assert out is not None
        np.testing.assert_array_equal(out, opencv_rgb(data))


def test_ancillary_chunks_are_read_past_and_change_nothing() -> None:
    pixels = random_pixels((6, 7, 3), np.uint8, seed=5)
    gamma = struct.pack(">I", 45455)
    data = reference_png(pixels, [4], extra=[(b"gAMA", gamma), (b"tEXt", b"Comment\x00hello")])
    np.testing.assert_array_equal(read_png(data), opencv_rgb(data))
    np.testing.assert_array_equal(read_png(data), pixels)


def _with_header_byte(data: bytes, offset: int, value: int) -> bytes:
    """The PNG with byte `offset` of the IHDR body replaced (and its CRC fixed)."""
    body = bytearray(data[16:29])
    body[offset] = value
    return data[:8] + _chunk(b"IHDR", bytes(body)) + data[33:]


def _declined_cases() -> dict[str, bytes]:
    rgb = random_pixels((8, 9, 3), np.uint8, seed=7)
    plain = reference_png(rgb, [1])
    palette, gray_alpha, one_bit = (io.BytesIO() for _ in range(3))
    Image.fromarray(rgb).convert("P").save(palette, format="PNG")
    Image.fromarray(rgb[..., :2].copy(), mode="LA").save(gray_alpha, format="PNG")
    Image.fromarray(rgb[..., 0] > 128).save(one_bit, format="PNG")
    bad_crc = bytearray(plain)
    bad_crc[-20] ^= 0xFF  # inside the second IDAT's body
    return {
        "not a PNG": b"GIF89a" + bytes(40),
        "empty": b"",
        "signature only": SIGNATURE,
        "palette": palette.getvalue(),
        "gray + alpha": gray_alpha.getvalue(),
        "1-bit": one_bit.getvalue(),
        "interlaced": _with_header_byte(plain, 12, 1),
        "transparency key": reference_png(rgb, [1], extra=[(b"tRNS", b"\x00\x01\x00\x02\x00\x03")]),
        "damaged data (CRC)": bytes(bad_crc),
        "truncated": plain[: len(plain) // 2],
        "no IEND": plain[:-12],
        "unknown filter type": _bad_filter_png(rgb),
        "rows missing": _with_header_byte(plain, 7, 9),  # height 8 -> 9: the stream is one row short
        "rows extra": _with_header_byte(plain, 7, 7),  # height 8 -> 7: the stream has a row too many
    }


def _bad_filter_png(rgb: np.ndarray) -> bytes:
    rows = b"".join(b"\x05" + rgb[y].tobytes() for y in range(rgb.shape[0]))
    header = struct.pack(">IIBBBBB", rgb.shape[1], rgb.shape[0], 8, 2, 0, 0, 0)
    parts = [_chunk(b"IHDR", header), _chunk(b"IDAT", zlib.compress(rows)), _chunk(b"IEND", b"")]
    return SIGNATURE + b"".join(parts)


@pytest.mark.parametrize("case", list(_declined_cases()))
def test_what_it_cannot_read_exactly_is_declined(case: str) -> None:
    assert read_png(_declined_cases()[case]) is None


def test_a_header_claiming_more_than_the_data_can_hold_allocates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = reference_png(random_pixels((8, 9, 3), np.uint8, seed=7), [1])
    huge = _with_header_byte(_with_header_byte(plain, 4, 0xFF), 5, 0xFF)  # 8 -> ~4.3 billion rows (~120 GB)

    def no_inflate(*_):
        raise AssertionError("a buffer for the claimed size was asked for")

    monkeypatch.setattr(png_read.deflate, "zlib_decompress", no_inflate)
    assert read_png(huge) is None


def test_without_the_native_kernel_it_declines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png_read.native, "load", lambda: None)
    assert read_png(reference_png(random_pixels((4, 4, 3), np.uint8, seed=1), [0])) is None


def test_the_build_compiles_the_kernels(tmp_path) -> None:
    out = native.build(tmp_path / "kernels.so")
    assert out.stat().st_size > 0
