"""A small in-process LRU of rendered answers (frame lists, strip PNGs).

Datasets never change after ingest and a cache key holds the colormap's table itself, so a cached
answer can only go stale when its dataset is deleted: every read checks the dataset in the database
first (so another replica's delete is seen), and a delete here drops the dataset's entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

MIB = 1024 * 1024


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
