"""Properties of the individual enhancement steps (sharpening, colour, tone maps)."""

import cv2
import numpy as np
import pytest

from services.quality.domain.enhance.color import apply_chroma_transfer, fit_chroma_restore
from services.quality.domain.enhance.sharpen import CORING, blur_variance, unsharp
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
