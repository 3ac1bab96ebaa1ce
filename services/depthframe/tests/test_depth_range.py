"""Inclusive depth ranges over float depths, by exact depth keys."""

from __future__ import annotations

import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import depth_keys, depth_range, select_rows

DEPTHS = (90001 + np.arange(5460)) / 10.0  # 9000.1 .. 9546.0 as parsed from text


def test_bounds_are_inclusive():
    selected = DEPTHS[select_rows(DEPTHS, 9000.1, 9000.5)]
    assert selected.tolist() == [9000.1, 9000.2, 9000.3, 9000.4, 9000.5]


def test_bounds_computed_in_float_still_match():
    low, high = 90003 * 0.1, 9000.1 + 0.1 + 0.1 + 0.1 + 0.1  # 9000.3 and 9000.5, computed
    assert low > 9000.3 and high > 9000.5  # the float noise this guards against is real
    assert DEPTHS[select_rows(DEPTHS, low, high)].tolist() == [9000.3, 9000.4, 9000.5]


def test_single_depth_and_whole_range():
    assert DEPTHS[select_rows(DEPTHS, 9546.0, 9546.0)].tolist() == [9546.0]
    assert select_rows(DEPTHS, None, None) == slice(0, 5460)
    assert select_rows(DEPTHS, 9500.05, None) == slice(5000, 5460)
    assert select_rows(DEPTHS, None, 9000.15) == slice(0, 1)


@pytest.mark.parametrize(("low", "high"), [(0, 100), (9600, 9700), (9000.11, 9000.19), (9546.01, 1e6)])
def test_empty_ranges_are_empty_not_errors(low, high):
    selected = select_rows(DEPTHS, low, high)
    assert DEPTHS[selected].size == 0


def test_reversed_bounds_are_an_error():
    with pytest.raises(InvalidArgument) as caught:
        select_rows(DEPTHS, 9100, 9000)
    assert caught.value.reason == "DEPTH_RANGE_REVERSED" and caught.value.violations[0].field == "depth_min"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "9000", 1e10, True])
def test_bad_bounds_are_errors(bad):
    with pytest.raises(InvalidArgument) as caught:
        depth_range(bad, None)
    assert caught.value.reason == "INVALID_DEPTH_BOUND"
    with pytest.raises(InvalidArgument):
        depth_range(None, bad)


def test_keys_are_exact_integers():
    keys = depth_keys(DEPTHS)
    assert keys[0] == 90_001_000 and np.all(np.diff(keys) == 1000)


def test_no_rows():
    assert select_rows(np.zeros(0), 1, 2) == slice(0, 0)
