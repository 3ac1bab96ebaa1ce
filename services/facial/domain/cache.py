"""Perceptual result cache: (parameter hash, near-equal image pHash) -> cached result.

The lookup is split from the storage so a DB table can back it later:

    CREATE TABLE facial_contour_cache (
      params_hash TEXT, phash BIGINT, band0 SMALLINT, ..., band7 SMALLINT,
      width INT, height INT, result BYTEA, created_at TIMESTAMPTZ, last_hit_at TIMESTAMPTZ);
    CREATE INDEX ON facial_contour_cache (params_hash, band0);  -- ... one per band

`CacheStore.candidates` = SELECT ... WHERE params_hash = $1 AND (band0 = $2 OR ... OR band7 = $9);
the Hamming filter runs in `PerceptualCache`. With 8 bands of 8 bits and max_distance <= 7,
every entry within the distance shares a band, so the index misses nothing.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .phash import HASH_BITS, bands, hamming

BAND_COUNT = 8
DEFAULT_MAX_DISTANCE = 6


@dataclass(frozen=True)
class CacheKey:
    params_hash: str
    phash: int
    image_size: tuple[int, int]  # (width, height) of the image the result was computed for


@dataclass(frozen=True)
class CacheEntry:
    key: CacheKey
    value: Any


class CacheStore(Protocol):
    def candidates(self, params_hash: str, hash_bands: tuple[int, ...]) -> list[CacheEntry]:
        """Entries with this params_hash that share at least one band value at the same position."""
        ...

    def put(self, entry: CacheEntry) -> None: ...

    def touch(self, entry: CacheEntry) -> None:
        """Record a hit (LRU order; a DB store would set last_hit_at)."""
        ...


def params_hash(params: dict, landmarks: np.ndarray | None = None, label_map: np.ndarray | None = None) -> str:
    """sha256 over canonical JSON of the parameters plus the given landmarks / label map, if any.

    Landmarks are rounded to 1/100 px so float noise does not split the cache.
    """
    h = hashlib.sha256(json.dumps(params, sort_keys=True, separators=(",", ":")).encode())
    if landmarks is not None:
        h.update(b"landmarks:" + np.round(np.asarray(landmarks, np.float64), 2).astype("<f8").tobytes())
    if label_map is not None:
        arr = np.ascontiguousarray(label_map, dtype=np.uint8)
        h.update(b"labels:" + np.array(arr.shape, "<i8").tobytes() + arr.tobytes())
    return h.hexdigest()


class PerceptualCache:
    """Finds the nearest cached entry with the same params within `max_distance` pHash bits."""

    def __init__(self, store: CacheStore, max_distance: int = DEFAULT_MAX_DISTANCE) -> None:
        if not 0 <= max_distance < BAND_COUNT:
            raise InvalidArgument.for_field(
                "max_distance", f"must be between 0 and {BAND_COUNT - 1}", reason="BAD_CACHE_DISTANCE"
            )
        self.store = store
        self.max_distance = max_distance
        self.hits = 0
        self.misses = 0
        self._count_lock = threading.Lock()

    def lookup(self, key: CacheKey) -> CacheEntry | None:
        best, best_d = None, self.max_distance + 1
        for entry in self.store.candidates(key.params_hash, bands(key.phash, BAND_COUNT)):
            d = hamming(entry.key.phash, key.phash)
            if d < best_d:
                best, best_d = entry, d
        with self._count_lock:
            if best is None:
                self.misses += 1
            else:
                self.hits += 1
        if best is not None:
            self.store.touch(best)
        return best

    def put(self, key: CacheKey, value: Any) -> None:
        self.store.put(CacheEntry(key, value))

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class InMemoryLruStore:
    """A bounded in-process CacheStore (least recently used evicted); thread-safe."""

    def __init__(self, capacity: int = 256) -> None:
        if capacity < 1:
            raise InvalidArgument.for_field("capacity", "must be at least 1", reason="BAD_CACHE_CAPACITY")
        self.capacity = capacity
        self._entries: OrderedDict[tuple[str, int], CacheEntry] = OrderedDict()
        self._index: dict[tuple[str, int, int], set[tuple[str, int]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def candidates(self, params_hash: str, hash_bands: tuple[int, ...]) -> list[CacheEntry]:
        with self._lock:
            ids: set[tuple[str, int]] = set()
            for i, b in enumerate(hash_bands):
                ids |= self._index.get((params_hash, i, b), set())
            return [self._entries[i] for i in ids]

    def touch(self, entry: CacheEntry) -> None:
        ident = (entry.key.params_hash, entry.key.phash)
        with self._lock:
            if ident in self._entries:
                self._entries.move_to_end(ident)

    def put(self, entry: CacheEntry) -> None:
        ident = (entry.key.params_hash, entry.key.phash)
        with self._lock:
            if ident in self._entries:
                self._entries.move_to_end(ident)
            self._entries[ident] = entry
            for i, b in enumerate(bands(entry.key.phash, BAND_COUNT)):
                self._index.setdefault((ident[0], i, b), set()).add(ident)
            while len(self._entries) > self.capacity:
                old_ident, _ = self._entries.popitem(last=False)
                for i, b in enumerate(bands(old_ident[1], BAND_COUNT)):
                    bucket = self._index.get((old_ident[0], i, b))
                    if bucket is not None:
                        bucket.discard(old_ident)
                        if not bucket:
                            del self._index[(old_ident[0], i, b)]


def unbands(hash_bands: tuple[int, ...]) -> int:
    """The hash back from its bands (inverse of phash.bands)."""
    width = HASH_BITS // len(hash_bands)
    value = 0
    for b in hash_bands:
        value = (value << width) | b
    return value


class LayeredStore:
    """A fast in-process `front` store before a shared `back` store (a database table).

    candidates: the front's when one of them is a hit (within `max_distance`), else the back's, which
    are then copied to the front. put: both. touch: both. Cached results never change for a key, so a
    front entry is never stale; the back sees every put, so other replicas find what this one computed.
    """

    def __init__(self, front: CacheStore, back: CacheStore, max_distance: int = DEFAULT_MAX_DISTANCE) -> None:
        self.front = front
        self.back = back
        self.max_distance = max_distance

    def candidates(self, params_hash: str, hash_bands: tuple[int, ...]) -> list[CacheEntry]:
        wanted = unbands(hash_bands)
        near = self.front.candidates(params_hash, hash_bands)
        if any(hamming(e.key.phash, wanted) <= self.max_distance for e in near):
            return near
        found = self.back.candidates(params_hash, hash_bands)
        for entry in found:
            self.front.put(entry)
        return found

    def put(self, entry: CacheEntry) -> None:
        self.front.put(entry)
        self.back.put(entry)

    def touch(self, entry: CacheEntry) -> None:
        self.front.touch(entry)
        self.back.touch(entry)
