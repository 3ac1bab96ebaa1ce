import cv2
import numpy as np
import pytest

from imagemesh_kit import native
from imagemesh_kit.errors import InvalidArgument, ResourceExhausted
from services.quality.domain import working_image
from services.quality.domain.sampling import strided
from services.quality.domain.working_image import to_pixels, to_working_image
from services.quality.tests.images import photo


def test_rgb_uint8_is_scaled_to_unit_range():
    img = photo("astronaut")
    w = to_working_image(img)
    assert w.rgb.dtype == np.float32 and w.rgb.shape == img.shape
    np.testing.assert_allclose(w.rgb, img / 255.0, atol=1e-6)
    assert not w.is_grayscale and w.alpha is None and w.bit_depth == 8
    expected_gray = img @ np.array([0.2125, 0.7154, 0.0721]) / 255.0
    np.testing.assert_allclose(w.gray, expected_gray, atol=1e-5)


@pytest.mark.parametrize(
    "pixels",
    [
        photo("astronaut"),  # 512 x 512: its own sample (k = 1)
        cv2.resize(photo("astronaut"), (1633, 1225)),  # 2 MP: every 3rd pixel of every 3rd row
        cv2.resize(photo("coffee"), (1001, 777))[:, :700],  # rows further apart than their pixels
    ],
    ids=["small", "2 MP", "row stride"],
)
def test_the_kernel_and_numpy_give_the_same_working_image(pixels, monkeypatch):
    assert native.load() is not None, "the C kernels are not built: run `make setup`"
    fast = to_working_image(pixels)
    monkeypatch.setattr(working_image.native, "load", lambda: None)
    plain = to_working_image(pixels)
    assert np.array_equal(fast.rgb, plain.rgb)  # v * float32(1/255), the same multiply
    np.testing.assert_allclose(fast.gray, plain.gray, rtol=0, atol=2.5e-7)  # OpenCV may fuse the multiply-adds
    assert np.array_equal(fast.rgb_sample, np.ascontiguousarray(strided(fast.rgb)))
    assert np.array_equal(fast.gray_sample, np.ascontiguousarray(strided(fast.gray)))
    assert fast.rgb_sample.flags.c_contiguous and fast.gray_sample.flags.c_contiguous
    assert (fast.is_grayscale, fast.bit_depth, fast.alpha) == (plain.is_grayscale, plain.bit_depth, plain.alpha)


@pytest.mark.parametrize("view", ["every other pixel", "flipped rows"])
def test_pixels_that_are_not_packed_rows_take_the_numpy_path(view):
    image = photo("astronaut")
    pixels = image[:, ::2] if view == "every other pixel" else image[::-1]
    np.testing.assert_allclose(to_working_image(pixels).rgb, pixels / 255.0, atol=1e-6)


def test_grayscale_is_replicated_to_three_channels():
    img = photo("camera")
    w = to_working_image(img)
    assert w.is_grayscale
    np.testing.assert_allclose(w.gray, img / 255.0, atol=1e-6)
    assert np.array_equal(w.rgb[..., 0], w.rgb[..., 2])
    assert to_working_image(img[..., None]).is_grayscale


def test_sixteen_bit_input_scales_by_65535():
    img16 = photo("camera").astype(np.uint16) * 257  # 8-bit values spread to 16 bits
    w = to_working_image(img16)
    assert w.bit_depth == 16
    np.testing.assert_allclose(w.gray, photo("camera") / 255.0, atol=1e-6)


def test_sixteen_bit_png_round_trip():
    img16 = (photo("astronaut").astype(np.uint16) * 257)[..., ::-1]
    ok, png = cv2.imencode(".png", img16)
    assert ok
    decoded = cv2.imdecode(png, cv2.IMREAD_UNCHANGED)[..., ::-1]
    assert decoded.dtype == np.uint16
    w = to_working_image(decoded)
    np.testing.assert_allclose(w.rgb, photo("astronaut") / 255.0, atol=1e-6)


def test_rgba_is_composited_over_white_and_alpha_kept():
    rgba = np.zeros((32, 32, 4), dtype=np.uint8)
    rgba[..., 0] = 255  # red
    rgba[:, :16, 3] = 255  # left half opaque, right half transparent
    w = to_working_image(rgba)
    np.testing.assert_allclose(w.rgb[0, 0], [1, 0, 0])
    np.testing.assert_allclose(w.rgb[0, 31], [1, 1, 1])
    assert w.alpha is not None and w.alpha[0, 0] == 1.0 and w.alpha[0, 31] == 0.0


def test_gray_alpha_input():
    ga = np.stack([np.full((20, 20), 0, np.uint8), np.full((20, 20), 128, np.uint8)], axis=2)
    w = to_working_image(ga)
    assert w.is_grayscale and w.alpha is not None
    np.testing.assert_allclose(w.gray, 1.0 - 128 / 255.0, atol=1e-6)  # black at ~50% over white


def test_float_input_in_unit_range_is_accepted():
    w = to_working_image(np.full((20, 20, 3), 0.25, dtype=np.float64))
    assert w.bit_depth == 32
    np.testing.assert_allclose(w.gray, 0.25, atol=1e-6)


@pytest.mark.parametrize(
    ("pixels", "reason"),
    [
        (np.zeros((20, 20), dtype=np.int32), "UNSUPPORTED_PIXEL_TYPE"),
        (np.zeros((20, 20, 5), dtype=np.uint8), "UNSUPPORTED_CHANNELS"),
        (np.zeros((20,), dtype=np.uint8), "UNSUPPORTED_CHANNELS"),
        (np.zeros((8, 64), dtype=np.uint8), "IMAGE_TOO_SMALL"),
        (np.full((20, 20), 1.5), "INVALID_PIXELS"),
        (np.full((20, 20), np.nan), "INVALID_PIXELS"),
        ([[0, 1], [1, 0]], "INVALID_IMAGE"),
    ],
)
def test_bad_inputs_raise_invalid_argument(pixels, reason):
    with pytest.raises(InvalidArgument) as err:
        to_working_image(pixels)
    assert err.value.reason == reason
    assert err.value.violations and err.value.violations[0].field == "image"


def test_huge_image_is_refused():
    huge = np.zeros((10_001, 10_000), dtype=np.uint8)  # never touched: calloc'd pages
    with pytest.raises(ResourceExhausted) as err:
        to_working_image(huge)
    assert err.value.reason == "IMAGE_TOO_LARGE"


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_to_pixels_restores_the_source_layout(dtype):
    scale = 255 if dtype == np.uint8 else 65535
    rgba = (np.random.default_rng(1).random((24, 24, 4)) * scale).astype(dtype)
    rgba[..., 3] = scale
    w = to_working_image(rgba)
    out = to_pixels(w.rgb, w.alpha, is_grayscale=False, bit_depth=w.bit_depth)
    assert out.dtype == dtype and out.shape == rgba.shape
    assert np.array_equal(out, rgba)
    gray = to_working_image(photo("camera"))
    out_gray = to_pixels(gray.rgb, None, is_grayscale=True, bit_depth=8)
    assert np.array_equal(out_gray, photo("camera"))
