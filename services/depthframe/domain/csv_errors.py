"""InvalidArgument errors for a bad CSV upload, naming the line and column.

Line numbers are 1-based as in the file (the header is line 1); column numbers are 1-based
(``depth`` is column 1, ``col1`` is column 2). Both also travel in the error's metadata.
"""

from __future__ import annotations

from imagemesh_kit.errors import FieldViolation, InvalidArgument

CSV_FIELD = "csv"

EMPTY_FILE = "EMPTY_FILE"
BAD_HEADER = "BAD_HEADER"
NO_DATA_ROWS = "NO_DATA_ROWS"
WRONG_COLUMN_COUNT = "WRONG_COLUMN_COUNT"
NOT_A_NUMBER = "NOT_A_NUMBER"
MISSING_VALUE = "MISSING_VALUE"
NON_INTEGER_PIXEL = "NON_INTEGER_PIXEL"
PIXEL_OUT_OF_RANGE = "PIXEL_OUT_OF_RANGE"
MISSING_DEPTH = "MISSING_DEPTH"
DEPTH_OUT_OF_RANGE = "DEPTH_OUT_OF_RANGE"
DUPLICATE_DEPTH = "DUPLICATE_DEPTH"


def csv_error(
    reason: str, description: str, *, line: int | None = None, column: int | None = None, column_name: str | None = None
) -> InvalidArgument:
    """Build the InvalidArgument for a CSV problem at ``line``/``column`` (either may be None)."""
    where = []
    if line is not None:
        where.append(f"line {line}")
    if column is not None:
        where.append(f"column {column}" + (f" ({column_name})" if column_name else ""))
    text = (", ".join(where) + ": " if where else "") + description
    metadata = {}
    if line is not None:
        metadata["line"] = str(line)
    if column is not None:
        metadata["column"] = str(column)
    return InvalidArgument(
        f"{CSV_FIELD}: {text}",
        reason=reason,
        violations=[FieldViolation(CSV_FIELD, text)],
        metadata=metadata,
    )
