"""Area resize: equals an independent area average; uint8 kept; width rules."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data
from skimage.metrics import structural_similarity
from skimage.transform import resize as sk_resize

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import parse_depth_csv, resize_rows
from services.depthframe.sample_data.depth_log import make_depth_csv

from .csv_samples import area_resize_reference


def test_known_answer_200_to_150_weights():
    row = np.array([[1, 3, 5, 7]], dtype=np.uint8)  # 4 -> 3: outputs 0.75a+0.25b, 0.5b+0.5c, 0.25c+0.75d
    assert resize_rows(row, 3).tolist() == [[2, 4, 6]]  # 1.5 -> 2 and 6.5 -> 6 (half to even)


def test_round_trip_generated_file_equals_reference():
    parsed = parse_depth_csv(make_depth_csv(rows=2001))
    resized = resize_rows(parsed.pixels, 150)
    assert resized.dtype == np.uint8 and resized.shape == (2000, 150)
    assert np.array_equal(resized, area_resize_reference(parsed.pixels, 150))


@pytest.mark.parametrize(("source", "width"), [(200, 150), (200, 100), (512, 150), (200, 1), (200, 7), (200, 199)])
def test_matches_reference_on_random_rows(source, width):
    pixels = np.random.default_rng(source + width).integers(0, 256, (500, source), dtype=np.uint8)
    difference = np.abs(resize_rows(pixels, width).astype(int) - area_resize_reference(pixels, width))
    # exact for ratios whose weights are exact in binary (4/3, 2, 512/150 here); OpenCV's float32
    # weights may flip a rounding by 1 for others (200 -> 7, 200 -> 199)
    assert difference.max() <= 1
    assert (difference > 0).mean() < 0.01
    if (source, width) in {(200, 150), (200, 100), (200, 1)}:
        assert difference.max() == 0


def test_extremes_stay_in_range():
    pixels = np.tile(np.array([0, 255], dtype=np.uint8), (4, 100))
    resized = resize_rows(pixels, 150)
    assert resized.min() >= 0 and resized.max() <= 255 and resized.dtype == np.uint8
    assert np.array_equal(resize_rows(np.full((3, 200), 255, np.uint8), 150), np.full((3, 150), 255))


def test_real_image_keeps_its_look():
    camera = data.camera()
    resized = resize_rows(camera, 150)
    expected = (sk_resize(camera, (512, 150), anti_aliasing=True, preserve_range=True)).round().astype(np.uint8)
    assert structural_similarity(resized, expected, data_range=255) > 0.95


def test_same_width_is_an_unchanged_copy():
    pixels = data.camera()[:10]
    resized = resize_rows(pixels, 512)
    assert np.array_equal(resized, pixels) and resized is not pixels


def test_no_rows():
    assert resize_rows(np.zeros((0, 200), np.uint8), 150).shape == (0, 150)


@pytest.mark.parametrize(
    ("width", "reason"),
    [
        (0, "INVALID_WIDTH"),
        (-3, "INVALID_WIDTH"),
        (1.5, "INVALID_WIDTH"),
        (True, "INVALID_WIDTH"),
        ("150", "INVALID_WIDTH"),
        (201, "WIDTH_EXCEEDS_SOURCE"),
        (40_000, "INVALID_WIDTH"),
    ],
)
def test_bad_widths(width, reason):
    with pytest.raises(InvalidArgument) as caught:
        resize_rows(np.zeros((2, 200), np.uint8), width)
    assert caught.value.reason == reason and caught.value.violations[0].field == "width"


@pytest.mark.parametrize("pixels", [np.zeros((2, 200), np.float64), np.zeros(200, np.uint8)])
def test_bad_pixel_arrays(pixels):
    with pytest.raises(InvalidArgument):
        resize_rows(pixels, 150)
