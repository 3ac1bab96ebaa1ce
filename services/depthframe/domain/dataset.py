"""Result types of CSV parsing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .depth_keys import depth_keys


class SkippedRow(NamedTuple):
    """A data row that was skipped (not an error): its 1-based line number in the file and why."""

    line: int
    reason: str


@dataclass(frozen=True, eq=False)
class ParsedDataset:
    """A parsed depth log: one row of pixels per depth, sorted by increasing depth.

    Attributes:
        depths: float64[n], strictly increasing (by depth key, see ``depth_keys``); read-only.
        pixels: uint8[n, N], the pixel row of each depth, N = number of ``colK`` columns; read-only.
        skipped_rows: the first ``max_skipped_reported`` skipped rows (line, reason), in file order.
        skipped_count: how many rows were skipped in all (may exceed ``len(skipped_rows)``).
        reordered: True when the file's depths were not increasing and rows were sorted by depth.
    """

    depths: np.ndarray
    pixels: np.ndarray
    skipped_rows: tuple[SkippedRow, ...] = ()
    skipped_count: int = 0
    reordered: bool = False

    @property
    def rows(self) -> int:
        """Number of valid data rows."""
        return int(self.depths.shape[0])

    @property
    def source_width(self) -> int:
        """Number of pixel columns in the file (N)."""
        return int(self.pixels.shape[1])

    @property
    def depth_min(self) -> float:
        return float(self.depths[0])

    @property
    def depth_max(self) -> float:
        return float(self.depths[-1])

    def depth_keys(self) -> np.ndarray:
        """int64 fixed-point keys of the depths (what a database index should hold)."""
        return depth_keys(self.depths)
