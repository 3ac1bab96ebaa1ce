"""Parse one chunk of whole CSV lines (below the header) into depths and pixel rows, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import csv_errors as ce
from .csv_numbers import parse_number_fields, parse_small_uint_fields
from .dataset import SkippedRow
from .depth_keys import DEPTH_ABS_MAX

_NEWLINE = 10
_COMMA = 44
_CR = 13

# per-field problem codes, in no particular priority: the first problem in file order wins
_PROBLEMS = {
    1: (ce.NOT_A_NUMBER, "value is not a number"),
    2: (ce.MISSING_VALUE, "value is empty or NaN while other pixels of the row are set"),
    3: (ce.NON_INTEGER_PIXEL, "pixel value is not an integer"),
    4: (ce.PIXEL_OUT_OF_RANGE, "pixel value is outside 0..255"),
    5: (ce.MISSING_DEPTH, "depth is empty or NaN while the row has pixel values"),
    6: (ce.DEPTH_OUT_OF_RANGE, f"depth is not finite or its magnitude exceeds {DEPTH_ABS_MAX:g}"),
}


@dataclass(frozen=True)
class ChunkRows:
    depths: np.ndarray  # float64[k]
    pixels: np.ndarray  # uint8[k, N]
    lines: np.ndarray  # int64[k], 1-based line numbers
    skipped: list[SkippedRow]
    line_count: int  # lines consumed (including skipped ones)


def parse_chunk(buf: np.ndarray, first_line: int, names: list[str]) -> ChunkRows:
    """Parse ``buf`` (uint8, whole lines; the last may lack its newline) whose first line is ``first_line``.

    Raises InvalidArgument for the first problem in file order.
    """
    expected = len(names)
    is_sep = (buf == _COMMA) | (buf == _NEWLINE)
    sep_pos = np.flatnonzero(is_sep)
    if buf.size and buf[-1] != _NEWLINE:
        sep_pos = np.append(sep_pos, buf.size)  # a virtual newline ends the last line
    sep_is_newline = np.ones(sep_pos.size, dtype=bool)
    inside = sep_pos < buf.size
    sep_is_newline[inside] = buf[sep_pos[inside]] == _NEWLINE
    starts = np.empty_like(sep_pos)
    if sep_pos.size:
        starts[0] = 0
        starts[1:] = sep_pos[:-1] + 1
    ends = sep_pos.copy()
    has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == _CR)
    ends -= has_cr

    line_last_field = np.flatnonzero(sep_is_newline)
    counts = np.diff(line_last_field, prepend=-1)
    line_count = int(counts.size)
    lengths_first = ends[line_last_field - counts + 1] - starts[line_last_field - counts + 1]
    blank = (counts == 1) & (lengths_first == 0)
    for index in np.flatnonzero((counts == 1) & ~blank).tolist():  # whitespace-only lines are blank too
        field = line_last_field[index]
        if not buf[starts[field] : ends[field]].tobytes().strip():
            blank[index] = True
    good = counts == expected
    wrong = ~good & ~blank
    limit = int(np.argmax(wrong)) if wrong.any() else line_count  # lines before the first wrong one

    n_fields = int(counts[:limit].sum())
    if limit == line_count and good.all():  # the usual case: every line is a data row
        grid_starts, grid_ends = starts.reshape(-1, expected), ends.reshape(-1, expected)
    else:
        field_mask = np.repeat(good[:limit], counts[:limit])
        grid_starts = starts[:n_fields][field_mask].reshape(-1, expected)
        grid_ends = ends[:n_fields][field_mask].reshape(-1, expected)
    row_lines = first_line + np.flatnonzero(good[:limit])
    depth_numbers = parse_number_fields(buf, grid_starts[:, 0].copy(), grid_ends[:, 0].copy())
    depth, depth_missing = depth_numbers.values, depth_numbers.missing
    pixel_starts, pixel_ends = grid_starts[:, 1:], grid_ends[:, 1:]
    # the fast path runs on every field (contiguous, no copy); the depth column's answers are dropped
    fast_values, fast_ok = parse_small_uint_fields(buf, grid_starts.ravel(), grid_ends.ravel())
    fast_values = fast_values.reshape(grid_starts.shape)[:, 1:]
    dirty = np.flatnonzero(~fast_ok.reshape(grid_starts.shape)[:, 1:].all(axis=1))

    problem = np.zeros(grid_starts.shape, dtype=np.int8)
    problem[:, 1:][fast_values > 255] = 4
    all_missing = np.zeros(grid_starts.shape[0], dtype=bool)
    if dirty.size:  # rows with empty, NaN, decimal or odd fields: the general (slower) checks
        numbers = parse_number_fields(buf, pixel_starts[dirty].ravel(), pixel_ends[dirty].ravel())
        values = numbers.values.reshape(dirty.size, -1)
        missing = numbers.missing.reshape(dirty.size, -1)
        row_all_missing = missing.all(axis=1)
        all_missing[dirty] = row_all_missing
        codes = np.zeros(values.shape, dtype=np.int8)
        codes[(values != np.floor(values)) & ~missing] = 3
        codes[(values < 0) | (values > 255)] = 4
        codes[missing & ~row_all_missing[:, None]] = 2
        codes[numbers.bad.reshape(dirty.size, -1)] = 1
        problem[dirty, 1:] = codes
        fast_values[dirty] = np.where(
            missing | numbers.bad.reshape(dirty.size, -1), 0, np.nan_to_num(values, posinf=0, neginf=0)
        ).astype(np.uint16)
    problem[:, 0][~depth_missing & ~(np.abs(depth) <= DEPTH_ABS_MAX)] = 6
    problem[:, 0][depth_missing & ~all_missing] = 5
    problem[:, 0][depth_numbers.bad] = 1
    first_problem = np.flatnonzero(problem.ravel())
    if first_problem.size:
        row, column = divmod(int(first_problem[0]), expected)
        reason, description = _PROBLEMS[int(problem[row, column])]
        raise ce.csv_error(reason, description, line=int(row_lines[row]), column=column + 1, column_name=names[column])
    if limit < line_count:
        _raise_wrong_count(first_line + limit, int(counts[limit]), names)

    keep = ~all_missing
    skipped = _skipped_rows(first_line, blank, row_lines[all_missing], depth_missing[all_missing])
    return ChunkRows(
        depths=depth[keep],
        pixels=fast_values[keep].astype(np.uint8),
        lines=row_lines[keep],
        skipped=skipped,
        line_count=line_count,
    )


def _raise_wrong_count(line: int, found: int, names: list[str]) -> None:
    expected = len(names)
    if found > expected:
        description = f"the row has {found} values, expected {expected} (more than the header names)"
        raise ce.csv_error(ce.WRONG_COLUMN_COUNT, description, line=line, column=expected + 1)
    raise ce.csv_error(
        ce.WRONG_COLUMN_COUNT,
        f"the row has {found} values, expected {expected} ('{names[found]}' is missing)",
        line=line,
        column=found + 1,
        column_name=names[found],
    )


def _skipped_rows(
    first_line: int, blank: np.ndarray, nan_lines: np.ndarray, nan_depth_missing: np.ndarray
) -> list[SkippedRow]:
    rows = [SkippedRow(first_line + i, "empty line") for i in np.flatnonzero(blank).tolist()]
    for line, depth_missing in zip(nan_lines.tolist(), nan_depth_missing.tolist(), strict=True):
        reason = "all values empty or NaN" if depth_missing else "no pixel values (all empty or NaN)"
        rows.append(SkippedRow(line, reason))
    rows.sort()
    return rows
