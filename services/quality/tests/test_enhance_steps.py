"""Properties of the individual enhancement steps (sharpening, colour, tone maps), and the C kernels of denoising
and sharpening against the OpenCV passes they replace."""

import cv2
import numpy as np
import pytest

from imagemesh_kit import native
from services.quality.domain.enhance import sharpen as sharpen_module
from services.quality.domain.enhance.color import apply_chroma_transfer, fit_chroma_restore
from services.quality.domain.enhance.denoise import denoise
from services.quality.domain.enhance.sharpen import AMOUNTS, CORING, blur_variance, choose_amount, sharpen, unsharp
from services.quality.domain.enhance.tone import Stretch, apply_auto_levels
from services.quality.domain.measure import measure
from services.quality.domain.sampling import tiles
from services.quality.domain.working_image import to_working_image
from services.quality.tests.images import blur, photo


def luma(pixels):
    return np.ascontiguousarray(cv2.cvtColor(to_working_image(pixels).rgb, cv2.COLOR_RGB2YCrCb)[..., 0])


def test_unsharp_leaves_detail_below_the_coring_threshold_alone():
    rng = np.random.default_rng(0)
    faint = (0.5 + rng.uniform(-0.45, 0.45, (120, 200)) * CORING).astype(np.float32)  # sub-rounding grain
    assert np.abs(unsharp(faint, 2.0) - faint).max() < 1e-7
    edge = np.where(np.arange(200) < 100, 0.3, 0.7).astype(np.float32)[None, :].repeat(120, axis=0)
    out = unsharp(edge, 1.0)
    assert out[:, 99].mean() < 0.3 - 0.01 and out[:, 100].mean() > 0.7 + 0.01  # edges still get overshoot


@pytest.mark.parametrize("name", ["camera", "coffee"])
@pytest.mark.parametrize("wanted", [1.001, 1.05, 1.15, 1.3, 1.6, 2.0, 100.0])
def test_choose_amount_is_the_smallest_ladder_amount_that_reaches_the_target(name, wanted, monkeypatch):
    ts = [np.ascontiguousarray(t) for t in tiles(luma(blur(photo(name), 1.2)))]
    base = sharpen_module._tile_sharpness(ts)
    gains = [sharpen_module._tile_sharpness([unsharp(t, a) for t in ts]) / base for a in AMOUNTS]
    assert gains == sorted(gains)  # the search relies on sharpness growing with the amount
    expected = next((a for a, gain in zip(AMOUNTS, gains, strict=True) if gain >= wanted), AMOUNTS[-1])
    measured = []
    original = sharpen_module._tile_sharpness

    def counted(canvas):
        measured.append(len(canvas))
        return original(canvas)

    monkeypatch.setattr(sharpen_module, "_tile_sharpness", counted)
    assert choose_amount(ts, 2.0, 2.0 * wanted) == expected
    # the base, then one trial when the smallest amount is enough, else that one and a bisection of the rest (3)
    assert len(measured) == (2 if expected == AMOUNTS[0] else 5)


@pytest.mark.parametrize(("name", "scale"), [("camera", 1.0), ("astronaut", 1.0), ("coffee", 2.5)])
@pytest.mark.parametrize("sigma", [1.0, 1.5, 2.0])
def test_blur_variance_estimates_a_gaussian_blur(name, scale, sigma):
    # scale 2.5: an upscaled (smooth) frame, whose sharpness falls more slowly with blur
    clean = photo(name)
    if scale != 1.0:
        clean = cv2.resize(clean, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    soft = blur(clean, sigma)
    target = measure(to_working_image(clean), natural_scene=False).sharpness
    current = measure(to_working_image(soft), natural_scene=False).sharpness
    estimate = blur_variance(tiles(luma(soft)), current, target)
    assert 0.6 * sigma**2 <= estimate <= 1.5 * sigma**2


def test_blur_variance_is_zero_for_an_image_as_sharp_as_the_target():
    y = luma(photo("camera"))
    s = measure(to_working_image(photo("camera")), natural_scene=False).sharpness
    assert blur_variance(tiles(y), s, s) == 0.0
    assert blur_variance(tiles(y), s, 0.9 * s) == 0.0


def test_chroma_restore_wins_back_lost_colourfulness():
    pixels = photo("coffee")
    ycc = cv2.cvtColor(to_working_image(pixels).rgb, cv2.COLOR_RGB2YCrCb)
    m = measure(to_working_image(pixels), natural_scene=False)
    washed = ycc.copy()
    washed[..., 1:] = 0.5 + 0.7 * (ycc[..., 1:] - 0.5)
    washed_m = measure(to_working_image(np.clip(cv2.cvtColor(washed, cv2.COLOR_YCrCb2RGB), 0, 1)), natural_scene=False)
    params = fit_chroma_restore(washed.reshape(-1, 1, 3), m.colorfulness, washed_m.colorfulness)
    assert params is not None
    restored = apply_chroma_transfer(washed, params, 1.0)
    again = measure(to_working_image(np.clip(cv2.cvtColor(restored, cv2.COLOR_YCrCb2RGB), 0, 1)), natural_scene=False)
    assert again.colorfulness == pytest.approx(m.colorfulness, rel=0.03)
    assert fit_chroma_restore(ycc.reshape(-1, 1, 3), m.colorfulness, m.colorfulness) is None  # nothing lost


@pytest.mark.parametrize("strength", [0.25, 1.0])
def test_channel_maps_blend_with_their_input(strength):
    rng = np.random.default_rng(1)
    ycc = rng.random((40, 50, 3)).astype(np.float32)
    p = Stretch(1.5, 0.4, (0.45, 0.55))
    full = np.stack([(ycc[..., c] - m) * 1.5 + m for c, m in enumerate((0.4, 0.45, 0.55))], axis=-1)
    expected = (1 - strength) * ycc + strength * full
    assert np.allclose(apply_auto_levels(ycc, p, strength), expected, atol=1e-6)
    transfer = ((0.45, 2.0, 0.5), (0.55, 0.5, 0.52))
    full = ycc.copy()
    full[..., 1] = (ycc[..., 1] - 0.45) * 2.0 + 0.5
    full[..., 2] = (ycc[..., 2] - 0.55) * 0.5 + 0.52
    expected = (1 - strength) * ycc + strength * full
    assert np.allclose(apply_chroma_transfer(ycc, transfer, strength), expected, atol=1e-6)


# --- the C kernels of denoising and sharpening against the OpenCV/numpy passes they replace -------------------


def _noisy_ycc(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(h * w)
    base = cv2.resize(photo("astronaut"), (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.float32) / 255.0
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2YCrCb)


@pytest.fixture
def without_kernels(monkeypatch):
    assert native.load() is not None, "the C kernels are not built: run `make setup`"

    def plain(fn, *args, **kwargs):
        with monkeypatch.context() as m:
            m.setattr(native, "load", lambda: None)
            return fn(*args, **kwargs)

    return plain


SIZES = [(240, 320), (241, 320), (240, 321), (241, 321), (2, 2), (3, 5)]


@pytest.mark.parametrize(("h", "w"), SIZES, ids=[f"{h}x{w}" for h, w in SIZES])
@pytest.mark.parametrize("strength", [1.0, 0.5])
def test_denoise_with_the_kernels_equals_the_opencv_passes(h, w, strength, without_kernels):
    ycc = _noisy_ycc(h, w)
    fast = denoise(ycc, 12.0, strength, is_grayscale=False)
    plain = without_kernels(denoise, ycc, 12.0, strength, is_grayscale=False)
    assert fast.shape == plain.shape and fast.dtype == plain.dtype
    # the same sums, added in another order, with bilateral range weights computed rather than interpolated
    np.testing.assert_allclose(fast, plain, rtol=0, atol=1e-6)


@pytest.mark.parametrize(("h", "w"), SIZES, ids=[f"{h}x{w}" for h, w in SIZES])
@pytest.mark.parametrize("amount", [0.25, 3.0])
def test_sharpen_with_the_kernel_equals_the_opencv_passes(h, w, amount, without_kernels):
    ycc = _noisy_ycc(h, w)
    ycc[0, :, 0] = 0.0  # clipped pixels, which the guard must leave where they are
    ycc[-1, :, 0] = 1.0
    fast = sharpen(ycc, amount)
    plain = without_kernels(sharpen, ycc, amount)
    np.testing.assert_allclose(fast, plain, rtol=0, atol=2.5e-7)
    assert np.array_equal(fast[..., 1:], ycc[..., 1:])


def test_steps_on_views_take_the_opencv_passes():
    ycc = _noisy_ycc(120, 160)
    view = ycc[:, ::2]  # not contiguous: the kernels do not take it
    np.testing.assert_allclose(sharpen(view, 1.0), sharpen(np.ascontiguousarray(view), 1.0), rtol=0, atol=2.5e-7)
    np.testing.assert_allclose(
        denoise(view, 12.0, 1.0, is_grayscale=False),
        denoise(np.ascontiguousarray(view), 12.0, 1.0, is_grayscale=False),
        rtol=0,
        atol=1e-6,
    )
