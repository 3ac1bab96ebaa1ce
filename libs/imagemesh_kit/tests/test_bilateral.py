"""The bilateral kernel (native/bilateral.c) computes OpenCV's bilateral filter of a float32 plane: the same border,
disc of taps and weights, to ~1e-6 (its range weights are computed where OpenCV interpolates in a table); a flat
plane is copied as OpenCV copies it; a band with `radius` rows of context gives the whole plane's rows exactly."""

import cv2
import numpy as np
import pytest

from imagemesh_kit import native


@pytest.fixture(scope="module")
def lib():
    loaded = native.load()
    assert loaded is not None, "the C kernels are not built: run `make setup`"
    return loaded


def bilateral(lib, plane: np.ndarray, d: int, sigma_color: float, sigma_space: float) -> np.ndarray:
    h, w = plane.shape
    out = np.full((h, w), np.nan, dtype=np.float32)
    assert lib.bilateral_f32(plane.ctypes.data, h, w, plane.strides[0] // 4, out.ctypes.data, w, d // 2,
                             sigma_color, sigma_space) == 0  # fmt: skip
    return out


def textured(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    smooth = 0.5 + 0.3 * np.sin(x / 7.0) * np.cos(y / 11.0)
    return np.clip(smooth + rng.normal(0, 0.05, (h, w)), 0, 1).astype(np.float32)


SHAPES = [(1, 1), (1, 7), (6, 1), (2, 2), (3, 200), (7, 9), (128, 128), (241, 319)]


@pytest.mark.parametrize(("h", "w"), SHAPES, ids=[f"{h}x{w}" for h, w in SHAPES])
@pytest.mark.parametrize("d", [3, 5, 9])
@pytest.mark.parametrize("sigma_color", [1e-4, 0.02, 0.1, 2.0])
def test_the_kernel_equals_opencv(lib, h, w, d, sigma_color):
    plane = textured(h, w, seed=h * w + d)
    expected = cv2.bilateralFilter(plane, d, sigma_color, d / 2.5)
    np.testing.assert_allclose(bilateral(lib, plane, d, sigma_color, d / 2.5), expected, rtol=0, atol=2e-6)


def test_a_row_stride_wider_than_the_row_is_read_as_rows(lib):
    wide = textured(60, 90)
    view = wide[:, 10:70]  # rows 90 floats apart
    np.testing.assert_allclose(
        bilateral(lib, view, 5, 0.05, 2.0), cv2.bilateralFilter(np.ascontiguousarray(view), 5, 0.05, 2.0), atol=2e-6
    )


def test_a_flat_plane_is_copied(lib):
    flat = np.full((40, 50), 0.3, dtype=np.float32)
    assert np.array_equal(bilateral(lib, flat, 5, 0.1, 2.0), cv2.bilateralFilter(flat, 5, 0.1, 2.0))


def test_a_band_with_context_gives_the_whole_planes_rows(lib):
    plane = textured(300, 333)
    whole = bilateral(lib, plane, 5, 0.07, 2.0)
    band = bilateral(lib, np.ascontiguousarray(plane[100:200]), 5, 0.07, 2.0)
    assert np.array_equal(band[2:-2], whole[102:198])


def test_a_radius_beyond_its_table_is_refused(lib):
    plane = textured(8, 8)
    out = np.empty_like(plane)
    assert lib.bilateral_f32(plane.ctypes.data, 8, 8, 8, out.ctypes.data, 8, 40, 0.1, 10.0) == -1
