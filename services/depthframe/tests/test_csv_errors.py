"""Every bad-CSV case fails with InvalidArgument naming the reason, the line and the column."""

from __future__ import annotations

import pytest

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import parse_depth_csv

from .csv_samples import csv_bytes

GOOD = "1,1,2,3"

CASES = [
    # (id, csv bytes, reason, line, column)
    ("empty file", b"", "EMPTY_FILE", None, None),
    ("whitespace only", b"  \n\r\n \n", "EMPTY_FILE", None, None),
    ("empty header line", b"\n1,2\n", "BAD_HEADER", 1, None),
    ("header only", csv_bytes([]), "NO_DATA_ROWS", None, None),
    ("only skipped rows", csv_bytes(["", ",,,"]), "NO_DATA_ROWS", None, None),
    ("header without pixels", b"depth\n1\n", "BAD_HEADER", 1, None),
    ("header wrong first name", b"time,col1\n1,2\n", "BAD_HEADER", 1, 1),
    ("header wrong order", b"depth,col1,col3\n1,2,3\n", "BAD_HEADER", 1, 3),
    ("pandas index column", b",depth,col1\n0,1,2\n", "BAD_HEADER", 1, 1),
    ("header not utf-8", b"depth,col\xff\n1,2\n", "BAD_HEADER", 1, None),
    ("text pixel", csv_bytes([GOOD, "2,1,abc,3"]), "NOT_A_NUMBER", 3, 3),
    ("text depth", csv_bytes([GOOD, "x,1,2,3"]), "NOT_A_NUMBER", 3, 1),
    ("quoted pixel", csv_bytes(['2,"1",2,3']), "NOT_A_NUMBER", 2, 2),
    ("too few columns", csv_bytes([GOOD, "2,1,2"]), "WRONG_COLUMN_COUNT", 3, 4),
    ("too many columns", csv_bytes([GOOD, GOOD, "3,1,2,3,4"]), "WRONG_COLUMN_COUNT", 4, 5),
    ("pixel above 255", csv_bytes([GOOD, "2,1,256,3"]), "PIXEL_OUT_OF_RANGE", 3, 3),
    ("pixel 999", csv_bytes(["2,1,2,999"]), "PIXEL_OUT_OF_RANGE", 2, 4),
    ("negative pixel", csv_bytes(["2,-1,2,3"]), "PIXEL_OUT_OF_RANGE", 2, 2),
    ("infinite pixel", csv_bytes(["2,1,inf,3"]), "PIXEL_OUT_OF_RANGE", 2, 3),
    ("fractional pixel", csv_bytes(["2,1,2.5,3"]), "NON_INTEGER_PIXEL", 2, 3),
    ("one missing pixel", csv_bytes([GOOD, "2,1,,3"]), "MISSING_VALUE", 3, 3),
    ("one NaN pixel", csv_bytes(["2,1,2,NaN"]), "MISSING_VALUE", 2, 4),
    ("missing depth", csv_bytes([GOOD, ",1,2,3"]), "MISSING_DEPTH", 3, 1),
    ("infinite depth", csv_bytes(["inf,1,2,3"]), "DEPTH_OUT_OF_RANGE", 2, 1),
    ("huge depth", csv_bytes(["1e12,1,2,3"]), "DEPTH_OUT_OF_RANGE", 2, 1),
    ("duplicate depth", csv_bytes([GOOD, "2,1,2,3", "1.0,4,5,6"]), "DUPLICATE_DEPTH", 4, 1),
    ("duplicate after rounding", csv_bytes(["5.00001,1,2,3", "5,1,2,3"]), "DUPLICATE_DEPTH", 3, 1),
    ("first problem wins", csv_bytes([GOOD, "2,1,2,x", "3,1,2"]), "NOT_A_NUMBER", 3, 4),
    ("count error before value error", csv_bytes([GOOD, "2,1,2", "3,1,2,x"]), "WRONG_COLUMN_COUNT", 3, 4),
]


@pytest.mark.parametrize(("text", "reason", "line", "column"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_csv_is_rejected_with_line_and_column(text, reason, line, column):
    with pytest.raises(InvalidArgument) as caught:
        parse_depth_csv(text)
    error = caught.value
    assert error.reason == reason
    assert error.status == "INVALID_ARGUMENT"
    assert error.violations and error.violations[0].field == "csv"
    if line is None:
        assert "line" not in error.metadata
    else:
        assert error.metadata["line"] == str(line) and f"line {line}" in error.message
    if column is not None:
        assert error.metadata["column"] == str(column) and f"column {column}" in error.message


def test_error_on_a_late_line_in_a_later_chunk():
    rows = [f"{k},1,2,3" for k in range(1, 2000)] + ["2000,1,2,300"]
    with pytest.raises(InvalidArgument) as caught:
        parse_depth_csv(csv_bytes(rows), chunk_bytes=512)
    assert caught.value.metadata == {"line": "2001", "column": "4"}
    assert "(col3)" in caught.value.message


def test_duplicate_names_both_lines():
    with pytest.raises(InvalidArgument) as caught:
        parse_depth_csv(csv_bytes(["9000.1,1,2,3", "9000.2,1,2,3", "9000.1,1,2,3"]))
    assert "line 4" in caught.value.message and "already appears on line 2" in caught.value.message


def test_message_does_not_echo_long_input():
    with pytest.raises(InvalidArgument) as caught:
        parse_depth_csv(("x" * 5000 + ",col1\n1,2\n").encode())
    assert len(caught.value.message) < 200
