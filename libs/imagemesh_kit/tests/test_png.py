"""The parallel PNG writer: every layout round-trips exactly through OpenCV and Pillow, in one or many slices,
with the kit's Huffman-only kernel and with zlib-ng (the kernel alone: test_huffman_deflate.py)."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from imagemesh_kit import native, png


def _image(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    top = 65536 if dtype == np.uint16 else 256
    smooth = np.linspace(0, top - 1, shape[1], dtype=np.float64)[None, :]
    noise = rng.integers(0, top // 16, shape)
    base = smooth if len(shape) == 2 else smooth[..., None]
    return np.clip(base + noise, 0, top - 1).astype(dtype)


def _read_cv2(data: bytes) -> np.ndarray:
    out = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if out.ndim == 3:
        out = cv2.cvtColor(out, cv2.COLOR_BGR2RGB if out.shape[2] == 3 else cv2.COLOR_BGRA2RGBA)
    return out


@pytest.fixture(params=["kernel", "zlib-ng"], autouse=True)
def coder(request, monkeypatch):
    """Every writer test runs with the C kernel and with zlib-ng (the path without the kernel)."""
    if request.param == "zlib-ng":
        monkeypatch.setattr(png.native, "load", lambda: None)
    else:
        assert native.load() is not None, f"{native.LIBRARY} missing: run `make setup`"
    return request.param


@pytest.fixture(params=[1, 3], ids=["one-slice", "three-slices"])
def slices(request, monkeypatch):
    monkeypatch.setattr(png, "MIN_SLICE_BYTES", 1)
    return request.param


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [
        ((97, 131), np.uint8),
        ((97, 131, 3), np.uint8),
        ((97, 131, 4), np.uint8),
        ((97, 131), np.uint16),
        ((97, 131, 3), np.uint16),
        ((97, 131, 4), np.uint16),
    ],
)
def test_round_trip_through_opencv_is_exact(shape, dtype, slices):
    pixels = _image(shape, dtype)
    assert np.array_equal(_read_cv2(png.encode_png(pixels, workers=slices)), pixels)


@pytest.mark.parametrize("shape", [(64, 80), (64, 80, 2), (64, 80, 3), (64, 80, 4)])
def test_pillow_verifies_the_crcs_and_reads_the_same_pixels(shape, slices):
    pixels = _image(shape, np.uint8)
    data = png.encode_png(pixels, workers=slices)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()  # chunk CRCs and structure
    with Image.open(io.BytesIO(data)) as image:
        assert np.array_equal(np.asarray(image), pixels)


def test_one_row_image_and_many_slices(monkeypatch):
    monkeypatch.setattr(png, "MIN_SLICE_BYTES", 1)
    pixels = _image((1, 50, 3), np.uint8)
    assert np.array_equal(_read_cv2(png.encode_png(pixels, workers=4)), pixels)


def test_size_is_that_of_opencv_with_the_same_settings():
    pixels = _image((300, 400, 3), np.uint8)
    ours = png.encode_png(pixels, workers=2)
    ok, theirs = cv2.imencode(".png", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR), [
        cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY,
        cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB])  # fmt: skip
    assert ok
    assert abs(len(ours) - len(theirs)) <= 0.02 * len(theirs)


@pytest.mark.parametrize(
    "pixels",
    [np.zeros((4, 4, 5), np.uint8), np.zeros((4, 4), np.float32), np.zeros((2, 2, 2, 2), np.uint8)],
)
def test_unsupported_layouts_are_refused(pixels):
    with pytest.raises(ValueError):
        png.encode_png(pixels)


def test_the_kernel_and_zlib_ng_write_files_of_the_same_size(monkeypatch, coder):
    pixels = _image((300, 400, 3), np.uint8)
    with_kernel = png.encode_png(pixels)
    monkeypatch.setattr(png.native, "load", lambda: None)
    assert abs(len(with_kernel) - len(png.encode_png(pixels))) <= 0.005 * len(with_kernel)
