"""Parse a depth-log CSV (``depth,col1..colN``) from bytes into a :class:`ParsedDataset`.

Format rules (see docs/depthframe/DESIGN.md):
- UTF-8 (an optional BOM is ignored), LF or CRLF line ends, ``,`` separators, no quoting in data rows.
- Header ``depth,col1,...,colN`` with N >= 1 (case-insensitive, in order); line 1 of the file.
- Each data row has exactly N+1 values. Empty lines and rows whose pixels are all empty/NaN are skipped
  and reported. Anything else wrong fails the whole parse with InvalidArgument naming line and column.
- Pixels must be integers 0..255; ``224.0`` counts as the integer 224, ``224.5`` is an error.
- Depths must be finite, unique (by depth key); unsorted rows are sorted by depth.

The work is vectorised per chunk of about ``chunk_bytes`` bytes of whole lines, so temporary memory
stays bounded whatever the file size: only the input bytes and the output arrays grow with the file.
"""

from __future__ import annotations

import numpy as np

from . import csv_errors as ce
from .csv_chunk import parse_chunk
from .csv_header import parse_header
from .dataset import ParsedDataset, SkippedRow
from .depth_keys import depth_keys
from .progress import ProgressCallback, StopCheck, check_stop, report

DEFAULT_CHUNK_BYTES = 1 << 18  # 256 KiB: temporaries stay cache-friendly
DEFAULT_MAX_SKIPPED_REPORTED = 1000
_BOM = b"\xef\xbb\xbf"


def parse_depth_csv(
    data: bytes | bytearray | memoryview,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_skipped_reported: int = DEFAULT_MAX_SKIPPED_REPORTED,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> ParsedDataset:
    """Parse CSV bytes into depths (sorted, unique) and uint8 pixel rows.

    Raises InvalidArgument (reasons in ``csv_errors``) naming the line (header = line 1) and column,
    or Cancelled when ``should_stop()`` says so between chunks.
    """
    if isinstance(data, memoryview):
        data = data.tobytes()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_depth_csv needs the CSV as bytes (decode nothing, pass the upload body)")
    start = len(_BOM) if data[:3] == _BOM else 0
    header_end = data.find(b"\n", start)
    header_end = len(data) if header_end < 0 else header_end
    header_line = bytes(data[start:header_end])
    if not header_line.strip():
        if not bytes(data[start:]).strip():
            raise ce.csv_error(ce.EMPTY_FILE, "the file is empty")
        raise ce.csv_error(ce.BAD_HEADER, "the header line is empty", line=1)
    names = parse_header(header_line)
    raw = np.frombuffer(data, dtype=np.uint8)
    total = max(1, len(data) - header_end)
    capacity = data.count(b"\n", header_end + 1) + 1
    width = len(names) - 1
    depths = np.empty(capacity, dtype=np.float64)
    pixels = np.empty((capacity, width), dtype=np.uint8)
    lines = np.empty(capacity, dtype=np.int64)
    skipped: list[SkippedRow] = []
    skipped_count = 0
    filled = 0
    line = 2
    position = header_end + 1
    while position < len(data):
        check_stop(should_stop)
        end = data.find(b"\n", position + max(1, chunk_bytes))
        end = len(data) if end < 0 else end + 1
        chunk = parse_chunk(raw[position:end], line, names)
        count = chunk.depths.size
        depths[filled : filled + count] = chunk.depths
        pixels[filled : filled + count] = chunk.pixels
        lines[filled : filled + count] = chunk.lines
        filled += count
        skipped_count += len(chunk.skipped)
        skipped.extend(chunk.skipped[: max(0, max_skipped_reported - len(skipped))])
        line += chunk.line_count
        position = end
        report(on_progress, (position - header_end) / total, f"parsed {line - 2} lines")
    if filled == 0:
        raise ce.csv_error(ce.NO_DATA_ROWS, f"the file has no data rows ({skipped_count} skipped)")
    depths, pixels, reordered = _sort_and_check(depths[:filled], pixels[:filled], lines[:filled])
    depths.flags.writeable = False
    pixels.flags.writeable = False
    return ParsedDataset(
        depths=depths, pixels=pixels, skipped_rows=tuple(skipped), skipped_count=skipped_count, reordered=reordered
    )


def _sort_and_check(depths: np.ndarray, pixels: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Sort rows by depth key when needed; fail on the first duplicate depth (in file order)."""
    keys = depth_keys(depths)
    steps = np.diff(keys)
    reordered = bool((steps < 0).any())
    if reordered:
        order = np.argsort(keys, kind="stable")
        keys, depths, pixels, lines = keys[order], depths[order], pixels[order], lines[order]
        steps = np.diff(keys)
    duplicates = np.flatnonzero(steps == 0)
    if duplicates.size:
        later = np.maximum(lines[duplicates], lines[duplicates + 1])
        pick = int(np.argmin(later))
        first = int(min(lines[duplicates[pick]], lines[duplicates[pick] + 1]))
        raise ce.csv_error(
            ce.DUPLICATE_DEPTH,
            f"depth {depths[duplicates[pick]]:.10g} already appears on line {first}",
            line=int(later[pick]),
            column=1,
            column_name="depth",
        )
    return depths, pixels, reordered
