"""Banded application of the accepted enhancement steps equals applying them to the whole image."""

import cv2
import numpy as np
import pytest

from services.quality.domain import parallel
from services.quality.domain.enhance.pipeline import APPLY_HALO, _Accepted, _apply_all, _rgb_block
from services.quality.domain.enhance.plan import StepPlan
from services.quality.domain.enhance.steps import apply_step
from services.quality.domain.working_image import to_working_image
from services.quality.tests.images import add_noise, photo


@pytest.fixture
def four_bands(monkeypatch):
    monkeypatch.setattr(parallel, "WORKERS", 4)
    monkeypatch.setattr(parallel, "BAND_MIN_ROWS", 64)


@pytest.mark.parametrize("height", [511, 512, 513])
def test_band_rows_cover_every_row_once_with_even_inner_edges(height):
    ranges = parallel.band_rows(height, 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == height
    assert all(a == b for (_, a), (b, _) in zip(ranges, ranges[1:], strict=False))
    assert all(a % 2 == 0 for a, _ in ranges)


def test_banded_local_filter_equals_whole_image(four_bands):
    image = np.random.default_rng(0).random((400, 300), dtype=np.float32)

    def blur(a):
        return cv2.GaussianBlur(a, (0, 0), 2.0)

    assert np.array_equal(parallel.banded(blur, image, halo=16), blur(image))


def _steps(noise_sigma: float) -> list[_Accepted]:
    return [
        _Accepted(StepPlan("denoise", "noise", 1.0, noise_sigma), noise_sigma, 1.0, noise_sigma),
        _Accepted(StepPlan("sharpen", "sharpness", 1.0, 1.0), 1.0, 1.0, 1.0),
    ]


def _whole(image, accepted):
    ycc = cv2.cvtColor(image.rgb, cv2.COLOR_RGB2YCrCb)
    for a in accepted:
        ycc = apply_step(a.step.name, ycc, a.params, a.strength, is_grayscale=image.is_grayscale)
    return _rgb_block(ycc, image.is_grayscale)


def test_apply_all_in_bands_matches_the_whole_image_even_size(four_bands):
    image = to_working_image(add_noise(photo("astronaut"), 12.0, seed=3))  # 512 x 512
    banded = _apply_all(image, _steps(11.0))
    whole = _whole(image, _steps(11.0))
    assert banded.shape == whole.shape
    assert np.array_equal(banded, whole)
    assert APPLY_HALO % 2 == 0


def test_apply_all_in_bands_matches_the_whole_image_at_odd_sizes(four_bands):
    # the denoiser's half-resolution chroma is resampled exactly 2x on the even part (odd last row and
    # column copied), so bands starting on even rows see the same grid as the whole image
    image = to_working_image(add_noise(photo("chelsea")[:299, :451], 12.0, seed=4))
    banded = _apply_all(image, _steps(11.0))
    whole = _whole(image, _steps(11.0))
    assert banded.shape == whole.shape
    assert np.array_equal(banded, whole)
