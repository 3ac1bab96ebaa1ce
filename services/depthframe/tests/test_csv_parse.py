"""Parsing valid CSVs: values, skipped rows, sorting, formats, chunk boundaries."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from services.depthframe.domain import parse_depth_csv
from services.depthframe.sample_data.depth_log import FIRST_ROW, make_depth_csv, make_depth_log

from .csv_samples import csv_bytes, csv_from_arrays


@pytest.fixture(scope="module")
def generated() -> bytes:
    return make_depth_csv(rows=5461)


def test_generated_file_round_trips(generated):
    depths, pixels = make_depth_log(rows=5460)
    parsed = parse_depth_csv(generated)
    assert parsed.rows == 5460 and parsed.source_width == 200
    assert parsed.depths.dtype == np.float64 and parsed.pixels.dtype == np.uint8
    assert np.array_equal(parsed.depths, depths) and np.array_equal(parsed.pixels, pixels)
    assert parsed.depth_min == 9000.1 and parsed.depth_max == 9546.0
    assert list(parsed.pixels[0]) == FIRST_ROW
    assert [tuple(s) for s in parsed.skipped_rows] == [(5462, "all values empty or NaN")]
    assert parsed.skipped_count == 1 and not parsed.reordered


@pytest.mark.parametrize("chunk_bytes", [1, 700, 4096, 1 << 16])
def test_chunk_size_does_not_change_the_result(generated, chunk_bytes):
    small = b"\n".join(generated.split(b"\n")[:300]) + b"\n"
    reference = parse_depth_csv(small)
    parsed = parse_depth_csv(small, chunk_bytes=chunk_bytes)
    assert np.array_equal(parsed.pixels, reference.pixels)
    assert np.array_equal(parsed.depths, reference.depths)


def test_real_image_round_trip():
    camera = data.camera()[::4]  # 128 rows x 512 columns
    depths = 100.0 + np.arange(camera.shape[0]) * 0.5
    parsed = parse_depth_csv(csv_from_arrays(depths, camera))
    assert np.array_equal(parsed.pixels, camera)
    assert np.array_equal(parsed.depths, depths)


def test_arrays_are_read_only(generated):
    parsed = parse_depth_csv(generated)
    with pytest.raises(ValueError):
        parsed.pixels[0, 0] = 1
    with pytest.raises(ValueError):
        parsed.depths[0] = 1.0


def test_one_pixel_column():
    parsed = parse_depth_csv(csv_bytes(["1.5,7", "2.5,9"], width=1))
    assert parsed.pixels.tolist() == [[7], [9]] and parsed.depths.tolist() == [1.5, 2.5]


def test_crlf_bom_and_no_final_newline():
    text = b"\xef\xbb\xbf" + csv_bytes(["1,1,2,3", "2,4,5,6"], newline="\r\n")[:-2]
    parsed = parse_depth_csv(text)
    assert parsed.pixels.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_header_is_case_insensitive_and_may_be_quoted():
    text = b'"Depth", COL1 ,col2\n1,0,255\n'
    assert parse_depth_csv(text).pixels.tolist() == [[0, 255]]


def test_empty_and_nan_rows_are_skipped_and_reported():
    rows = ["1,1,2,3", "", "2,NaN,nan,", "   ", ",,,", "3,4,5,6", "nan,nan,nan,nan"]
    parsed = parse_depth_csv(csv_bytes(rows))
    assert parsed.depths.tolist() == [1.0, 3.0]
    assert [tuple(s) for s in parsed.skipped_rows] == [
        (3, "empty line"),
        (4, "no pixel values (all empty or NaN)"),
        (5, "empty line"),
        (6, "all values empty or NaN"),
        (8, "all values empty or NaN"),
    ]


def test_skipped_report_is_capped_but_counted():
    parsed = parse_depth_csv(csv_bytes(["1,1,2,3"] + [""] * 50), max_skipped_reported=10)
    assert len(parsed.skipped_rows) == 10 and parsed.skipped_count == 50


def test_unsorted_depths_are_sorted_with_their_rows():
    parsed = parse_depth_csv(csv_bytes(["3,3,3,3", "1,1,1,1", "2,2,2,2"]))
    assert parsed.depths.tolist() == [1.0, 2.0, 3.0]
    assert parsed.pixels[:, 0].tolist() == [1, 2, 3]
    assert parsed.reordered


def test_integral_decimals_and_other_number_spellings_are_accepted():
    parsed = parse_depth_csv(csv_bytes(["9000.1,224.0,2.24e2, 17 ", "-5,+3,0.000,255"]))
    assert parsed.depths.tolist() == [-5.0, 9000.1]
    assert parsed.pixels.tolist() == [[3, 0, 255], [224, 224, 17]]


def test_depth_text_gives_the_same_float_as_python():
    texts = ["9000.1", "9546.0", "0.3", "12345.6789", "-0.1", "7"]
    parsed = parse_depth_csv(csv_bytes([f"{t},1" for t in texts], width=1))
    assert sorted(parsed.depths.tolist()) == sorted(float(t) for t in texts)


def test_memoryview_and_bytearray_inputs():
    text = csv_bytes(["1,1,2,3"])
    assert parse_depth_csv(memoryview(text)).rows == 1
    assert parse_depth_csv(bytearray(text)).rows == 1


def test_text_input_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_depth_csv("depth,col1\n1,2\n")
