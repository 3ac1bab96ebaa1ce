"""The perceptual cache's table behind the domain's `CacheStore` protocol (the shared layer behind an
in-process LRU: see domain.cache.LayeredStore).

The domain calls the store synchronously from the CPU pool (inside `compute_contours_cached`); each
call runs the async query on the service's event loop (`run_coroutine_threadsafe`) and waits for it,
so the one async engine and its pool serve both. Never call these methods on the event loop itself.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
import logging
import threading

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from imagemesh_kit.db_types import utcnow
from services.facial.domain import CacheEntry, CacheKey, ContourResult
from services.facial.domain.phash import bands
from services.facial.domain.render_json import geometry_from_dict, render_json
from services.facial.store.models import BAND_COUNT, CacheRow

log = logging.getLogger(__name__)
T = CacheRow.__table__
QUERY_TIMEOUT_S = 10.0


def to_signed(value: int) -> int:
    """64-bit unsigned pHash -> BIGINT (signed two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def encode_masks(masks: dict[str, bytes]) -> dict[str, str]:
    return {k: base64.b64encode(v).decode() for k, v in masks.items()}


def decode_masks(masks: dict[str, str]) -> dict[str, bytes]:
    return {k: base64.b64decode(v) for k, v in masks.items()}


def _entry(row) -> CacheEntry:
    geometry = geometry_from_dict(json.loads(row.geometry))
    value = ContourResult(
        geometry=geometry,
        svg=row.svg.encode() if row.svg is not None else None,
        masks=decode_masks(row.masks),
        polygons_json=row.polygons_json.encode() if row.polygons_json is not None else None,
    )
    return CacheEntry(CacheKey(row.params_hash, to_unsigned(row.phash), (row.width, row.height)), value)


class DbCacheStore:
    def __init__(self, engine: AsyncEngine, loop: asyncio.AbstractEventLoop, max_entries: int = 10_000) -> None:
        self.engine = engine
        self.loop = loop
        self.max_entries = max_entries
        self._pending: set[concurrent.futures.Future] = set()
        self._lock = threading.Lock()
        self._write_lock: asyncio.Lock | None = None  # created on the loop

    def _wait(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(QUERY_TIMEOUT_S)

    # -- CacheStore (called from worker threads) ------------------------------------------------

    def candidates(self, params_hash: str, hash_bands: tuple[int, ...]) -> list[CacheEntry]:
        return self._wait(self.candidates_async(params_hash, hash_bands))

    def put(self, entry: CacheEntry) -> None:
        """Writes are not waited for (the caller has its result already); totals() and drain() wait."""
        self._later(self.put_async(entry))

    def touch(self, entry: CacheEntry) -> None:
        self._later(self.touch_async(entry))

    def _later(self, coro) -> None:
        future = asyncio.run_coroutine_threadsafe(self._in_order(coro), self.loop)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future) -> None:
        with self._lock:
            self._pending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.warning("cache write failed", exc_info=future.exception())

    async def _in_order(self, coro):
        """One write at a time, in the order they were scheduled: a hit's count never races ahead of
        the insert of its entry."""
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:
            return await coro

    async def drain(self) -> None:
        """Wait for the writes scheduled so far (before totals, and on shutdown)."""
        with self._lock:
            pending = [asyncio.wrap_future(f) for f in self._pending]
        await asyncio.gather(*pending, return_exceptions=True)

    # -- async side ----------------------------------------------------------------------------

    async def candidates_async(self, params_hash: str, hash_bands: tuple[int, ...]) -> list[CacheEntry]:
        c = T.c
        band_match = sa.or_(*(c[f"band{i}"] == b for i, b in enumerate(hash_bands)))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(T).where(c.params_hash == params_hash, band_match))).all()
        return [_entry(r) for r in rows]

    async def put_async(self, entry: CacheEntry) -> None:
        key, result = entry.key, entry.value
        now = utcnow()
        values = dict(
            params_hash=key.params_hash,
            phash=to_signed(key.phash),
            **{f"band{i}": b for i, b in enumerate(bands(key.phash, BAND_COUNT))},
            width=key.image_size[0],
            height=key.image_size[1],
            geometry=(result.polygons_json or render_json(result.geometry)).decode(),
            svg=result.svg.decode() if result.svg is not None else None,
            polygons_json=result.polygons_json.decode() if result.polygons_json is not None else None,
            masks=encode_masks(result.masks),
            hit_count=0,
            created_at=now,
            last_hit_at=now,
        )
        try:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(T).values(**values))
                count = (await conn.execute(sa.select(sa.func.count()).select_from(T))).scalar_one()
                if count > self.max_entries:
                    oldest = sa.select(T.c.id).order_by(T.c.last_hit_at, T.c.id).limit(count - self.max_entries)
                    await conn.execute(sa.delete(T).where(T.c.id.in_(oldest.scalar_subquery())))
        except IntegrityError:
            pass  # another replica (or request) cached the same image and parameters first

    async def touch_async(self, entry: CacheEntry) -> None:
        c = T.c
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(T)
                .where(c.params_hash == entry.key.params_hash, c.phash == to_signed(entry.key.phash))
                .values(hit_count=c.hit_count + 1, last_hit_at=utcnow())
            )

    async def totals(self) -> tuple[int, int]:
        """(entries, hits recorded by every replica)."""
        await self.drain()
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(T.c.hit_count), 0)))
            ).one()
        return int(row[0]), int(row[1])
