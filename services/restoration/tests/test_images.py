import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.restoration.domain import images


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((4, 4, 3), np.float32),
        np.zeros((4, 4, 2), np.uint8),
        np.zeros((0, 4, 3), np.uint8),
        np.zeros((2, 2, 2, 3), np.uint8),
        [[1, 2], [3, 4]],
    ],
)
def test_bad_images_are_invalid_argument(bad):
    with pytest.raises(InvalidArgument) as err:
        images.as_rgb_uint8(bad)
    assert err.value.reason == "INVALID_IMAGE"
    assert err.value.violations[0].field == "image"


def test_grey_and_rgba_become_rgb():
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert images.as_rgb_uint8(grey).shape == (3, 4, 3)
    rgba = np.zeros((3, 4, 4), np.uint8)
    assert images.as_rgb_uint8(rgba).shape == (3, 4, 3)


def test_ycbcr_round_trip_and_known_values(astronaut):
    rgb = images.to_float(astronaut)
    back = images.ycbcr_to_rgb(images.rgb_to_ycbcr(rgb))
    assert np.abs(back - rgb).max() < 1e-5
    white = images.rgb_to_ycbcr(np.ones((1, 1, 3), np.float32))[0, 0]
    assert white == pytest.approx([1.0, 0.0, 0.0], abs=1e-5)


def test_psnr_known_answer():
    a = np.zeros((10, 10), np.uint8)
    b = np.full((10, 10), 255 / 10, np.float64)  # mse = (25.5)^2 -> 20 dB
    assert images.psnr(a, b) == pytest.approx(20.0)
    assert images.psnr(a, a) == float("inf")
