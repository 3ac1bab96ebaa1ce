"""The depthframe service's use cases: one transaction each; domain rules from services.depthframe.domain."""

from __future__ import annotations

import asyncio
import uuid

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from imagemesh_kit.context import Principal
from imagemesh_kit.db_types import utcnow
from imagemesh_kit.errors import AlreadyExists, InvalidArgument, NotFound
from imagemesh_kit.pagination import (
    clamp_page_size,
    decode_page_token,
    decode_time_cursor,
    encode_page_token,
    encode_time_cursor,
)
from services.depthframe.config import DepthFrameSettings
from services.depthframe.domain import (
    Colormap,
    Frame,
    builtin_colormaps,
    decode_rows,
    depth_range,
    ingest_csv,
    make_custom_colormap,
    render_frames,
    render_strip,
    resolve_colormap,
)
from services.depthframe.domain.records import ColormapRecord, DatasetRecord, check_dataset_name
from services.depthframe.render_cache import FrameSet, RenderCache
from services.depthframe.store import repository as repo

DATASET_NOT_FOUND = "no such dataset"


class DepthFrameUseCases:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: DepthFrameSettings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._cache = RenderCache(settings.cache_entries)

    # -- datasets ------------------------------------------------------------------------

    async def create_dataset(self, owner: Principal, name: str, data: bytes | bytearray, width: int) -> DatasetRecord:
        name = check_dataset_name(name)
        width = width or self._settings.default_width
        ingested = await asyncio.to_thread(ingest_csv, data, width=width)
        parsed = ingested.parsed
        record = DatasetRecord(
            id=str(uuid.uuid4()),
            owner_id=owner.subject,
            name=name,
            rows=ingested.rows,
            skipped_rows=ingested.skipped_rows,
            skipped_count=parsed.skipped_count,
            depth_min=ingested.depth_min,
            depth_max=ingested.depth_max,
            source_width=ingested.source_width,
            width=ingested.width,
            color_scale=ingested.color_scale,
            created_at=utcnow(),
        )
        async with self._sessions.begin() as session:  # the dataset and all of its rows, or nothing
            repo.add_dataset(session, record)
            await session.flush()
            await repo.insert_rows(
                session,
                record.id,
                parsed.depth_keys(),
                parsed.depths,
                ingested.resized,
                parsed.pixels,
                batch=self._settings.insert_batch_rows,
            )
        return record

    async def get_dataset(self, caller: Principal, dataset_id: str) -> DatasetRecord:
        async with self._sessions() as session:
            return await self._visible(session, caller, dataset_id)

    async def list_datasets(
        self, caller: Principal, page_size: int, page_token: str
    ) -> tuple[list[DatasetRecord], str]:
        limit = clamp_page_size(page_size)
        before = decode_time_cursor(page_token)
        async with self._sessions() as session:
            rows = await repo.list_datasets(session, caller.subject, before, limit + 1)
        datasets = [repo.to_dataset(r) for r in rows[:limit]]
        next_token = ""
        if len(rows) > limit:
            last = datasets[-1]
            next_token = encode_time_cursor(last.created_at, last.id)
        return datasets, next_token

    async def delete_dataset(self, caller: Principal, dataset_id: str) -> None:
        async with self._sessions.begin() as session:
            record = await self._visible(session, caller, dataset_id)
            await repo.delete_dataset(session, record.id)
        self._cache.forget(record.id)

    # -- frames ----------------------------------------------------------------------------

    async def query_frames(
        self,
        caller: Principal,
        dataset_id: str,
        depth_min: float | None,
        depth_max: float | None,
        colormap: str,
        frame_height: int,
    ) -> tuple[str, list[Frame]]:
        bounds = depth_range(depth_min, depth_max)
        async with self._sessions() as session:
            record = await self._dataset_or_newest(session, caller, dataset_id)
            cmap = await self._colormap(session, caller, colormap)
            whole_key = ("frames", record.id, cmap.name, cmap.lut.tobytes(), frame_height or 1)
            key = (*whole_key, bounds)
            cached = self._cache.get(whole_key)  # every frame of the dataset: slice the range out of it
            frames = cached.select(bounds) if cached is not None else self._cache.get(key)
            if frames is None:
                depths, blobs = await repo.rows_in_range(session, record.id, bounds.key_min, bounds.key_max)
        if frames is None:
            self._check_frame_count(len(depths))
            frames = await asyncio.to_thread(self._render_frames, depths, blobs, record, cmap, frame_height or 1)
            size = sum(len(f.png) for f in frames)
            if len(frames) == record.rows:  # the whole dataset: later ranges are slices of it
                self._cache.put(whole_key, FrameSet.of(frames), size)
            else:
                self._cache.put(key, frames, size)
        self._check_frame_count(len(frames))
        return record.id, frames

    def _check_frame_count(self, count: int) -> None:
        if count > self._settings.max_frames:
            raise InvalidArgument.for_field(
                "depth_max",
                f"the range holds {count} rows; at most {self._settings.max_frames} frames "
                "per request (narrow the range or use GET /v1/frames:image)",
                reason="DEPTH_RANGE_TOO_LARGE",
            )

    async def frame_image(
        self,
        caller: Principal,
        dataset_id: str,
        depth_min: float | None,
        depth_max: float | None,
        colormap: str,
        row_height: int,
    ) -> bytes:
        bounds = depth_range(depth_min, depth_max)
        async with self._sessions() as session:
            record = await self._dataset_or_newest(session, caller, dataset_id)
            cmap = await self._colormap(session, caller, colormap)
            key = ("image", record.id, cmap.name, cmap.lut.tobytes(), bounds, row_height or 1)
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            _, blobs = await repo.rows_in_range(session, record.id, bounds.key_min, bounds.key_max)
        if len(blobs) > self._settings.max_image_rows:
            raise InvalidArgument.for_field(
                "depth_max",
                f"the range holds {len(blobs)} rows; at most {self._settings.max_image_rows} per image",
                reason="DEPTH_RANGE_TOO_LARGE",
            )
        png = await asyncio.to_thread(self._render_strip, blobs, record, cmap, row_height or 1)
        self._cache.put(key, png, len(png))
        return png

    @staticmethod
    def _render_frames(depths, blobs, record: DatasetRecord, cmap: Colormap, height: int) -> list[Frame]:
        pixels = decode_rows(blobs, record.width)
        return render_frames(
            np.asarray(depths, dtype=np.float64), pixels, cmap, record.color_scale, frame_height=height
        )

    @staticmethod
    def _render_strip(blobs, record: DatasetRecord, cmap: Colormap, height: int) -> bytes:
        return render_strip(decode_rows(blobs, record.width), cmap, record.color_scale, row_height=height)

    # -- colormaps -------------------------------------------------------------------------

    async def create_colormap(self, owner: Principal, name: str, stops: list[dict]) -> Colormap:
        cmap = make_custom_colormap(name, stops)
        record = ColormapRecord(owner_id=owner.subject, name=cmap.name, stops=cmap.stops, created_at=utcnow())
        try:
            async with self._sessions.begin() as session:
                if await repo.colormap(session, owner.subject, cmap.name) is not None:
                    raise self._taken(cmap.name)
                repo.add_colormap(session, record)
                await session.flush()
        except IntegrityError:  # a concurrent create of the same name won
            raise self._taken(cmap.name) from None
        return cmap

    async def list_colormaps(self, caller: Principal, page_size: int, page_token: str) -> tuple[list[Colormap], str]:
        """Built-ins first (fixed order), then the caller's maps by name. Token: the last name and its kind."""
        limit = clamp_page_size(page_size)
        cursor = decode_page_token(page_token, ("after", "custom"))
        builtins = builtin_colormaps()
        names = [b.name for b in builtins]
        if cursor is not None and (
            not isinstance(cursor["after"], str) or (not cursor["custom"] and cursor["after"] not in names)
        ):
            raise InvalidArgument.for_field("page_token", "is not a token this API issued", reason="INVALID_PAGE_TOKEN")
        page: list[Colormap] = []
        after_custom = None
        if cursor is None or not cursor["custom"]:
            start = 0 if cursor is None else names.index(cursor["after"]) + 1
            page = builtins[start : start + limit + 1]
        else:
            after_custom = cursor["after"]
        if len(page) <= limit:
            async with self._sessions() as session:
                rows = await repo.list_colormaps(session, caller.subject, after_custom, limit + 1 - len(page))
            page += [make_custom_colormap(r.name, r.stops) for r in map(repo.to_colormap, rows)]
        next_token = ""
        if len(page) > limit:
            page = page[:limit]
            next_token = encode_page_token({"after": page[-1].name, "custom": not page[-1].builtin})
        return page, next_token

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _taken(name: str) -> AlreadyExists:
        return AlreadyExists(f"you already have a colormap named '{name}'", reason="COLORMAP_EXISTS")

    async def _visible(self, session: AsyncSession, caller: Principal, dataset_id: str) -> DatasetRecord:
        """The dataset if the caller may see it (owner or admin); NotFound otherwise (existence not revealed)."""
        if not dataset_id:
            raise InvalidArgument.for_field("id", "is required", reason="ID_REQUIRED")
        row = await repo.dataset_by_id(session, dataset_id) if len(dataset_id) <= 36 else None
        if row is None or (row.owner_id != caller.subject and not caller.is_admin):
            raise NotFound(DATASET_NOT_FOUND, reason="DATASET_NOT_FOUND")
        return repo.to_dataset(row)

    async def _dataset_or_newest(self, session: AsyncSession, caller: Principal, dataset_id: str) -> DatasetRecord:
        if dataset_id:
            return await self._visible(session, caller, dataset_id)
        row = await repo.newest_dataset(session, caller.subject)
        if row is None:
            raise NotFound("you have no datasets yet; upload one first", reason="NO_DATASET")
        return repo.to_dataset(row)

    async def _colormap(self, session: AsyncSession, caller: Principal, name: str) -> Colormap:
        custom = None
        if name and name not in {c.name for c in builtin_colormaps()} and len(name) <= 63:
            row = await repo.colormap(session, caller.subject, name)
            if row is not None:
                rec = repo.to_colormap(row)
                custom = {rec.name: make_custom_colormap(rec.name, rec.stops)}
        return resolve_colormap(name, custom)
