"""The CSV header: ``depth,col1,col2,...,colN`` (N >= 1), exactly in that order."""

from __future__ import annotations

from .csv_errors import BAD_HEADER, csv_error

MAX_PIXEL_COLUMNS = 100_000


def _clean(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    return name.lower()


def parse_header(line: bytes) -> list[str]:
    """Check the header line (without its newline) and return the column names.

    Names are compared case-insensitively, after trimming spaces and one pair of double quotes.
    Raises InvalidArgument (BAD_HEADER) naming the first wrong column.
    """
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise csv_error(BAD_HEADER, "the header is not valid UTF-8 text", line=1) from None
    names = [_clean(part) for part in text.split(",")]
    if len(names) < 2:
        raise csv_error(BAD_HEADER, "expected a header 'depth,col1,...,colN' with at least one pixel column", line=1)
    if len(names) - 1 > MAX_PIXEL_COLUMNS:
        raise csv_error(BAD_HEADER, f"too many pixel columns (at most {MAX_PIXEL_COLUMNS})", line=1)
    expected = ["depth"] + [f"col{k}" for k in range(1, len(names))]
    for index, (found, wanted) in enumerate(zip(names, expected, strict=True)):
        if found != wanted:
            shown = found if len(found) <= 40 else found[:40] + "..."
            raise csv_error(BAD_HEADER, f"expected header name '{wanted}', found '{shown}'", line=1, column=index + 1)
    return expected
