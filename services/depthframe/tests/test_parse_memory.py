"""Parsing memory does not grow with the file beyond the output arrays (traced by tracemalloc)."""

from __future__ import annotations

import tracemalloc

from services.depthframe.domain import parse_depth_csv
from services.depthframe.sample_data.depth_log import make_depth_csv


def _temporary_peak(data: bytes) -> int:
    tracemalloc.start()
    try:
        parsed = parse_depth_csv(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - parsed.pixels.nbytes - parsed.depths.nbytes


def test_temporaries_are_bounded_by_the_chunk_not_the_file():
    small, large = make_depth_csv(rows=3_000), make_depth_csv(rows=24_000)
    small_extra, large_extra = _temporary_peak(small), _temporary_peak(large)
    assert large_extra < 16e6  # one chunk's work arrays (+ the row line numbers, 8 bytes a row)
    assert large_extra < small_extra + 0.02 * len(large)  # nothing proportional to the input size
