"""Colormaps: built-in tables, custom stops (validation and interpolation), lookup, our default."""

from __future__ import annotations

import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import (
    DEFAULT_COLORMAP,
    ColorStop,
    builtin_colormaps,
    lut_from_stops,
    make_custom_colormap,
    resolve_colormap,
)

REQUIRED = {"viridis", "magma", "inferno", "plasma", "jet", "gray"}


def test_builtins_are_256x3_uint8_and_include_the_required_ones():
    maps = builtin_colormaps()
    assert maps[0].name == DEFAULT_COLORMAP
    assert REQUIRED <= {m.name for m in maps}
    for colormap in maps:
        assert colormap.lut.shape == (256, 3) and colormap.lut.dtype == np.uint8 and colormap.builtin


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("viridis", (68, 1, 84), (253, 231, 37)),
        ("magma", (0, 0, 4), (252, 253, 191)),
        ("inferno", (0, 0, 4), (252, 255, 164)),
        ("plasma", (13, 8, 135), (240, 249, 33)),
        ("jet", (0, 0, 128), (128, 0, 0)),
    ],
)
def test_builtin_endpoints_match_the_published_maps(name, low, high):
    lut = resolve_colormap(name).lut.astype(int)
    assert np.abs(lut[0] - low).max() <= 4 and np.abs(lut[255] - high).max() <= 4


def test_gray_is_identity():
    assert np.array_equal(resolve_colormap("gray").lut, np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, 1))


def test_luts_are_read_only():
    with pytest.raises(ValueError):
        resolve_colormap("viridis").lut[0, 0] = 1


def test_two_stop_interpolation_known_answer():
    lut = lut_from_stops([{"position": 0, "color": "#000000"}, {"position": 1, "color": "#FF0080"}])
    assert lut[0].tolist() == [0, 0, 0] and lut[255].tolist() == [255, 0, 128]
    assert lut[51].tolist() == [51, 0, 26]  # 0.2 of the way (25.6 -> 26)


def test_stops_inside_extend_flat_to_the_ends():
    lut = lut_from_stops([ColorStop(0.25, "#102030"), ColorStop(0.75, "#f0f0f0")])
    assert lut[0].tolist() == [16, 32, 48] and lut[60].tolist() == [16, 32, 48]
    assert lut[255].tolist() == [240, 240, 240] and lut[200].tolist() == [240, 240, 240]


def test_three_stops_hit_the_middle_color():
    lut = lut_from_stops([ColorStop(0, "#000000"), ColorStop(0.6, "#ff0000"), ColorStop(1, "#ffffff")])
    assert lut[153].tolist() == [255, 0, 0]  # 153/255 = 0.6


BAD_STOPS = [
    ([{"position": 0, "color": "#000000"}], "INVALID_COLOR_STOPS"),
    ([], "INVALID_COLOR_STOPS"),
    ([{"position": 0, "color": "#000000"}, {"position": 0, "color": "#ffffff"}], "INVALID_COLOR_STOPS"),
    ([{"position": 0.5, "color": "#000000"}, {"position": 0.2, "color": "#ffffff"}], "INVALID_COLOR_STOPS"),
    ([{"position": -0.1, "color": "#000000"}, {"position": 1, "color": "#ffffff"}], "INVALID_COLOR_STOPS"),
    ([{"position": 0, "color": "#000000"}, {"position": 1.5, "color": "#ffffff"}], "INVALID_COLOR_STOPS"),
    ([{"position": float("nan"), "color": "#000000"}, {"position": 1, "color": "#fff"}], "INVALID_COLOR_STOPS"),
    ([{"position": "0", "color": "#000000"}, {"position": 1, "color": "#ffffff"}], "INVALID_COLOR_STOPS"),
    ([{"position": 0, "color": "#fff"}, {"position": 1, "color": "#ffffff"}], "INVALID_COLOR"),
    ([{"position": 0, "color": "red"}, {"position": 1, "color": "#ffffff"}], "INVALID_COLOR"),
    ([{"position": 0, "color": "#gg0000"}, {"position": 1, "color": "#ffffff"}], "INVALID_COLOR"),
    ([{"position": 0}, {"position": 1, "color": "#ffffff"}], "INVALID_COLOR"),
    (["#000000", "#ffffff"], "INVALID_COLOR_STOPS"),
    ([{"position": k / 100, "color": "#000000"} for k in range(101)], "INVALID_COLOR_STOPS"),
]


@pytest.mark.parametrize(("stops", "reason"), BAD_STOPS)
def test_bad_stops_are_rejected(stops, reason):
    with pytest.raises(InvalidArgument) as caught:
        make_custom_colormap("mine", stops)
    assert caught.value.reason == reason and caught.value.violations[0].field == "stops"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "INVALID_COLORMAP_NAME"),
        ("My Map", "INVALID_COLORMAP_NAME"),
        ("1abc", "INVALID_COLORMAP_NAME"),
        ("a" * 64, "INVALID_COLORMAP_NAME"),
        (None, "INVALID_COLORMAP_NAME"),
        ("viridis", "COLORMAP_NAME_RESERVED"),
        (DEFAULT_COLORMAP, "COLORMAP_NAME_RESERVED"),
    ],
)
def test_bad_names_are_rejected(name, reason):
    with pytest.raises(InvalidArgument) as caught:
        make_custom_colormap(name, [ColorStop(0, "#000000"), ColorStop(1, "#ffffff")])
    assert caught.value.reason == reason


def test_custom_map_is_resolved_from_the_caller_catalogue():
    mine = make_custom_colormap("sunset", [{"position": 0, "color": "#200040"}, {"position": 1, "color": "#FFA000"}])
    assert not mine.builtin and mine.stops[1].color == "#ffa000"
    assert resolve_colormap("sunset", {"sunset": mine}) is mine


@pytest.mark.parametrize("name", [None, ""])
def test_no_name_means_the_default(name):
    assert resolve_colormap(name).name == DEFAULT_COLORMAP


def test_unknown_colormap_is_a_clear_error():
    with pytest.raises(InvalidArgument) as caught:
        resolve_colormap("nope", {})
    assert caught.value.reason == "UNKNOWN_COLORMAP" and "viridis" in caught.value.message
    assert caught.value.violations[0].field == "colormap"


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB colors."""
    c = rgb / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def test_default_map_lightness_rises_monotonically_over_a_wide_range():
    lightness = _lightness(resolve_colormap(DEFAULT_COLORMAP).lut.astype(float))
    assert np.all(np.diff(lightness) > -0.5)  # rounding to uint8 may wobble a little
    assert lightness[0] < 15 and lightness[-1] > 90
