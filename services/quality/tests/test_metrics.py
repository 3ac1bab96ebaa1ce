"""Known answers on synthetic images and behaviour on real photos for the aspect metrics."""

import numpy as np
import pytest

from services.quality.domain.measure import measure
from services.quality.domain.metrics.colorfulness import colorfulness
from services.quality.domain.metrics.contrast import percentile_spread, rms_contrast
from services.quality.domain.metrics.exposure import exposure
from services.quality.domain.metrics.noise import estimate_noise_sigma
from services.quality.domain.metrics.sharpness import sharpness
from services.quality.domain.sampling import tiles
from services.quality.domain.scoring import score_noise
from services.quality.domain.working_image import to_working_image
from services.quality.tests.images import add_noise, blur, flat, photo


def light(img):
    return measure(to_working_image(img), natural_scene=False)


def test_flat_image_has_zero_sharpness_noise_contrast_and_colour():
    m = light(flat(100, (96, 128, 3)))
    assert m.sharpness == 0.0
    assert m.noise_sigma == 0.0
    assert m.contrast == 0.0
    assert m.colorfulness == 0.0
    assert m.brightness == pytest.approx(100 / 255, abs=1e-6)


@pytest.mark.parametrize("sigma", [5.0, 10.0, 20.0])
def test_noise_on_flat_gray_reads_sigma(sigma):
    noisy = add_noise(flat(128, (256, 256)), sigma, seed=3)
    assert light(noisy).noise_sigma == pytest.approx(sigma, rel=0.05)


@pytest.mark.parametrize(
    ("name", "sigma"), [("camera", 10.0), ("camera", 20.0), ("coins", 10.0), ("chelsea", 10.0), ("astronaut", 20.0)]
)
def test_noise_on_real_photos_reads_near_sigma(name, sigma):
    est = light(add_noise(photo(name), sigma, seed=4)).noise_sigma
    assert est == pytest.approx(sigma, rel=0.15)


def test_noise_estimate_is_monotone_in_added_noise():
    values = [light(add_noise(photo("rocket"), s, seed=5)).noise_sigma for s in (0, 5, 10, 20, 30)]
    assert values == sorted(values)


def test_sharpness_falls_with_blur_and_ignores_noise():
    img = photo("camera")
    ladder = [light(blur(img, s)).sharpness for s in (0.5, 1.0, 1.5, 2.0, 3.0)]
    assert ladder == sorted(ladder, reverse=True)
    clean = light(img).sharpness
    for s in (10, 20, 30):
        assert light(add_noise(img, s, seed=6)).sharpness == pytest.approx(clean, rel=0.1)


def test_sharpness_of_a_step_edge_is_positive_and_noise_free_estimate_is_exact():
    edge = np.zeros((64, 64), np.float32)
    edge[:, 32:] = 1.0
    assert sharpness(tiles(edge), 0.0) > 0.0
    assert estimate_noise_sigma([edge]) == pytest.approx(0.0, abs=1e-6)


def test_contrast_scales_linearly():
    g = to_working_image(photo("camera")).gray
    half = 0.5 + 0.5 * (g - 0.5)
    assert rms_contrast(half) == pytest.approx(0.5 * rms_contrast(g), rel=1e-4)
    assert percentile_spread(half) == pytest.approx(0.5 * percentile_spread(g), abs=2e-3)


def test_colorfulness_known_answer_for_pure_red():
    red = np.zeros((32, 32, 3), np.float32)
    red[..., 0] = 1.0
    # rg = 255, yb = 127.5, no spread: M = 0.3 * hypot(255, 127.5)
    assert colorfulness(red) == pytest.approx(0.3 * np.hypot(255, 127.5), rel=1e-5)


def test_colorfulness_orders_gray_dull_vivid():
    gray = light(np.dstack([photo("camera")] * 3)).colorfulness
    vivid = light(photo("astronaut")).colorfulness
    desaturated = to_working_image(photo("astronaut"))
    dull_rgb = 0.3 * desaturated.rgb + 0.7 * desaturated.gray[..., None]
    dull = light(dull_rgb).colorfulness
    assert gray == pytest.approx(0.0, abs=0.5)
    assert gray < dull < vivid


def test_exposure_known_answers():
    black = exposure(np.zeros((10, 10), np.float32))
    white = exposure(np.ones((10, 10), np.float32))
    half = np.zeros((10, 10), np.float32)
    half[:, 5:] = 1.0
    mixed = exposure(half)
    assert (black.brightness, black.clipped_shadows, black.clipped_highlights) == (0.0, 1.0, 0.0)
    assert (white.brightness, white.clipped_shadows, white.clipped_highlights) == (1.0, 0.0, 1.0)
    assert (mixed.brightness, mixed.clipped_shadows, mixed.clipped_highlights) == (0.5, 0.5, 0.5)


def test_large_images_are_measured_on_samples_and_agree_with_full_measurement():
    import cv2

    big = cv2.resize(photo("astronaut"), (2048, 2048), interpolation=cv2.INTER_CUBIC)
    m = light(big)
    assert any("tiles" in n for n in m.notes)
    w = to_working_image(big)
    full_contrast = rms_contrast(w.gray, m.luma_noise_sigma)
    assert m.contrast == pytest.approx(full_contrast, rel=0.02)


@pytest.mark.parametrize("contrast", [0.02, 0.03, 0.05, 0.1, 0.25])
@pytest.mark.parametrize("gain", [1.5, 2.5])
def test_noise_score_ignores_a_contrast_change(contrast, gain):
    # a contrast stretch scales signal and noise alike: the score must not move (down to RMS
    # contrast 0.02, i.e. a photo whose contrast was cut to 40%), or restoring contrast would
    # read as "more noise" and be refused
    for sigma in (0.3, 1.0, 2.0, 4.0):
        before = score_noise(sigma, contrast).score
        assert score_noise(sigma * gain, contrast * gain).score == pytest.approx(before, abs=1e-9)
