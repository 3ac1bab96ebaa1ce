"""Known answers for the building blocks: textures, tone, filters, strokes, pipeline runner."""

import numpy as np
import pytest

from services.sketch.domain import Method, Style
from services.sketch.domain.filters import directional_smear, kuwahara, nearest_colour_index, palette
from services.sketch.domain.pipeline import Canvas, run_steps
from services.sketch.domain.strokes import hatch_ink, hatch_pattern
from services.sketch.domain.textures import (
    canvas_tile,
    cold_press_tile,
    laid_paper_tile,
    paper_tile,
    spectral_noise,
    tile_over,
)
from services.sketch.domain.tone import levels, quantize, saturate
from services.sketch.domain.validation import resolve_params


@pytest.mark.parametrize(
    "make",
    [lambda s: paper_tile(s, 0.5), cold_press_tile, canvas_tile, laid_paper_tile, lambda s: spectral_noise(s, 1.0)],
)
def test_textures_are_deterministic_seeded_and_in_range(make):
    a, b, other = make(3), make(3), make(4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, other)
    assert a.dtype == np.float32 and a.min() >= 0.0 and a.max() <= 1.0 and a.std() > 0.1


@pytest.mark.parametrize("make", [lambda: paper_tile(1, 0.5), lambda: cold_press_tile(1), lambda: laid_paper_tile(1)])
def test_textures_tile_without_seams(make):
    tile = make()
    inner = np.abs(np.diff(tile, axis=1)).mean()
    seam = np.abs(tile[:, 0] - tile[:, -1]).mean()  # neighbours once the tile repeats
    assert seam < 1.5 * inner


def test_tiles_are_read_only_and_tile_over_covers_any_size():
    tile = paper_tile(0, 0.5)
    with pytest.raises(ValueError):
        tile[0, 0] = 1.0
    cover = tile_over(tile, 1000, 700, scale=1.5)
    assert cover.shape == (1000, 700)


def test_canvas_weave_is_periodic():
    tile = canvas_tile(0)
    assert tile.shape[0] % 16 == 0


def test_levels_and_quantize_known_answers():
    x = np.array([0.0, 0.25, 0.5, 0.75, 1.0], np.float32)
    np.testing.assert_allclose(levels(x, 0.25, 0.75), [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(quantize(x, 2), [0, 0, 1, 1, 1])
    np.testing.assert_allclose(quantize(x, 3), [0, 0.5, 0.5, 1, 1])


def test_saturate_zero_is_grey_and_one_is_identity():
    rgb = np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)
    grey = saturate(rgb, 0.0)
    assert np.allclose(grey[..., 0], grey[..., 1]) and np.allclose(grey[..., 1], grey[..., 2])
    np.testing.assert_allclose(saturate(rgb, 1.0), rgb, atol=1e-6)


def test_kuwahara_keeps_flat_areas_and_step_edges():
    img = np.zeros((40, 40, 3), np.float32)
    img[:, 20:] = 1.0
    out = kuwahara(img, 4)
    np.testing.assert_allclose(out, img, atol=1e-5)  # a clean step stays a clean step


def test_kuwahara_removes_isolated_noise():
    img = np.full((40, 40, 3), 0.5, np.float32)
    img[20, 20] = 1.0
    assert abs(kuwahara(img, 3)[20, 20, 0] - 0.5) < 0.05


def test_palette_finds_the_colours_of_a_two_colour_image():
    img = np.zeros((32, 32, 3), np.float32)
    img[:, 16:] = (1.0, 0.0, 0.0)
    colours = palette(img, 2, seed=0)
    np.testing.assert_allclose(colours, [[0, 0, 0], [1, 0, 0]], atol=1e-4)
    index = nearest_colour_index(img, colours)
    assert (index[:, :16] == 0).all() and (index[:, 16:] == 1).all()


def test_hatch_lines_get_wider_with_darkness():
    pattern = hatch_pattern(64, 64, 0.0, 8.0, seed=0, wobble=0.0)
    np.testing.assert_allclose(pattern[:, 0], pattern[:, 8], atol=1e-4)  # period of 8 px along x
    light = hatch_ink(pattern, np.full((64, 64), 0.2, np.float32)).mean()
    dark = hatch_ink(pattern, np.full((64, 64), 0.7, np.float32)).mean()
    assert 0.05 < light < dark < 0.95


def test_directional_smear_blurs_along_the_angle_only():
    img = np.zeros((41, 41), np.float32)
    img[20, 20] = 1.0
    horizontal = directional_smear(img, np.zeros_like(img), 9)
    assert horizontal[20, 16] > 0 and horizontal[16, 20] == 0


def test_run_steps_runs_in_order_and_reports_each_step():
    order: list[str] = []

    def first_step(c):
        order.append("first")

    def second_step(c):
        order.append("second")

    canvas = Canvas(np.zeros((16, 16, 3), np.uint8), resolve_params(Style.PENCIL, Method.BASIC, {}))
    seen = []
    run_steps([first_step, second_step], canvas, lambda f, m: seen.append((f, m)))
    assert order == ["first", "second"]
    assert seen == [(0.0, "starting"), (0.5, "first step"), (1.0, "done")]
