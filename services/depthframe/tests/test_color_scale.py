"""Fixed per-dataset color scaling."""

from __future__ import annotations

import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import ColorScale, apply_colormap, resolve_colormap

GRAY = resolve_colormap("gray")


def test_dataset_min_max_stretch_to_the_full_map():
    pixels = np.array([[13, 125, 237]], dtype=np.uint8)
    scale = ColorScale.from_pixels(pixels)
    assert scale == ColorScale(13, 237)
    assert apply_colormap(pixels, GRAY, scale)[0, :, 0].tolist() == [0, 128, 255]  # 112*255/224 = 127.5 -> 128


def test_values_outside_the_scale_are_clipped():
    scale = ColorScale(50, 100)
    assert scale.index_table()[[0, 49, 50, 75, 100, 101, 255]].tolist() == [0, 0, 0, 128, 255, 255, 255]


def test_full_range_is_identity():
    assert np.array_equal(ColorScale.full_range().index_table(), np.arange(256))


def test_constant_dataset_maps_to_the_low_end():
    scale = ColorScale.from_pixels(np.full((3, 4), 90, np.uint8))
    assert scale == ColorScale(90, 90) and not scale.index_table().any()


def test_same_value_same_color_whatever_the_selection():
    pixels = np.random.default_rng(0).integers(20, 220, (100, 150), dtype=np.uint8)
    scale, viridis = ColorScale.from_pixels(pixels), resolve_colormap("viridis")
    whole = apply_colormap(pixels, viridis, scale)
    part = apply_colormap(pixels[40:45], viridis, scale)
    assert np.array_equal(whole[40:45], part)


def test_apply_keeps_shape_and_gives_rgb():
    pixels = np.zeros((5, 7), np.uint8)
    assert apply_colormap(pixels, GRAY, ColorScale.full_range()).shape == (5, 7, 3)


@pytest.mark.parametrize(("vmin", "vmax"), [(-1, 10), (0, 256), (200, 100), (1.5, 10), (True, 10)])
def test_bad_scales(vmin, vmax):
    with pytest.raises(InvalidArgument):
        ColorScale(vmin, vmax)


def test_non_uint8_pixels_are_rejected():
    with pytest.raises(InvalidArgument):
        apply_colormap(np.zeros((2, 2), np.float32), GRAY, ColorScale.full_range())


@pytest.mark.parametrize("shape", [(0,), (7,), (3, 5), (2, 3, 4), (1, 1)])
def test_apply_equals_plain_table_lookup_for_any_shape(shape):
    pixels = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    viridis, scale = resolve_colormap("viridis"), ColorScale(30, 220)
    expected = viridis.lut[scale.index_table()][pixels]
    colored = apply_colormap(pixels, viridis, scale)
    assert colored.shape == (*shape, 3) and np.array_equal(colored, expected)
