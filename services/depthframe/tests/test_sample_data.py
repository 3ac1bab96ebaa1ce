"""The synthetic depth log has the documented shape of the real file."""

from __future__ import annotations

import numpy as np

from services.depthframe.sample_data.depth_log import FIRST_ROW, make_depth_csv, make_depth_log


def test_shape_values_and_first_row():
    depths, pixels = make_depth_log(rows=5460)
    assert pixels.shape == (5460, 200) and pixels.dtype == np.uint8
    assert depths[0] == 9000.1 and depths[-1] == 9546.0
    assert np.allclose(np.diff(depths), 0.1)
    assert pixels.min() == 13 and pixels.max() == 237  # the real file's observed range
    assert pixels[0].tolist() == FIRST_ROW


def test_structure_is_smooth_along_rows_and_layered_down_the_log():
    _, pixels = make_depth_log(rows=2000, seed=3)
    values = pixels.astype(float)
    lateral = np.abs(np.diff(values, axis=1)).mean()
    assert lateral < 8  # neighbouring columns are close
    assert values.mean(axis=1).std() > 20  # layers differ in depth


def test_csv_text_and_determinism():
    text = make_depth_csv(rows=5, seed=7)
    lines = text.decode().splitlines()
    assert lines[0].startswith("depth,col1,col2,") and lines[0].endswith(",col200")
    assert lines[1].startswith("9000.1,224,224,") and lines[1].endswith(",221,220,217,217")
    assert lines[-1] == "," * 200 and len(lines) == 6
    assert make_depth_csv(rows=5, seed=7) == text and make_depth_csv(rows=5, seed=8) != text
