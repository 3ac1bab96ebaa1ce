"""A small in-process LRU of rendered answers (frame lists, strip PNGs).

When a query happens to cover a whole dataset, its frames are kept as a :class:`FrameSet` and later
queries of that dataset and colormap are slices of it (the slow case is rendering thousands of PNGs).

Datasets never change after ingest and a cache key holds the colormap's table itself, so a cached
answer can only go stale when its dataset is deleted: every read checks the dataset in the database
first (so another replica's delete is seen), and a delete here drops the dataset's entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from services.depthframe.domain import DepthRange, Frame, depth_keys

MIB = 1024 * 1024


@dataclass(frozen=True)
class FrameSet:
    """Every frame of a dataset (one colormap, one height) with their depth keys, to answer any range."""

    keys: np.ndarray  # int64, increasing
    frames: list[Frame]

    @classmethod
    def of(cls, frames: list[Frame]) -> FrameSet:
        return cls(depth_keys(np.array([f.depth for f in frames], dtype=np.float64)), frames)

    def select(self, bounds: DepthRange) -> list[Frame]:
        """The frames with key_min <= key <= key_max (inclusive; None = open end), in depth order."""
        start = 0 if bounds.key_min is None else int(np.searchsorted(self.keys, bounds.key_min, side="left"))
        stop = (
            len(self.frames)
            if bounds.key_max is None
            else int(np.searchsorted(self.keys, bounds.key_max, side="right"))
        )
        return self.frames[start : max(start, stop)]


class RenderCache:
    def __init__(self, max_entries: int, max_bytes: int = 128 * MIB) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable) -> object | None:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: Hashable, value: object, size: int) -> None:
        if self._max_entries == 0 or size > self._max_bytes // 2:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > self._max_entries or self._bytes > self._max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped

    def forget(self, dataset_id: str) -> None:
        """Drop every entry of a dataset (keys are tuples whose second item is the dataset id)."""
        for key in [k for k in self._items if isinstance(k, tuple) and len(k) > 1 and k[1] == dataset_id]:
            self._bytes -= self._items.pop(key)[1]

    def __len__(self) -> int:
        return len(self._items)
