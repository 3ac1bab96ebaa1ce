"""SQL for the depthframe service. Every function takes the caller's session (one transaction per use case)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import numpy as np
from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.depthframe.domain import ColorScale, ColorStop, SkippedRow
from services.depthframe.domain.records import ColormapRecord, DatasetRecord
from services.depthframe.store.models import ColormapRow, DatasetRow, DepthRow

_ROWS = DepthRow.__table__


def to_dataset(row: DatasetRow) -> DatasetRecord:
    return DatasetRecord(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        rows=row.rows,
        skipped_rows=tuple(SkippedRow(int(line), str(reason)) for line, reason in json.loads(row.skipped_rows)),
        skipped_count=row.skipped_count,
        depth_min=row.depth_min,
        depth_max=row.depth_max,
        source_width=row.source_width,
        width=row.width,
        color_scale=ColorScale(row.color_min, row.color_max),
        created_at=row.created_at,
    )


def to_colormap(row: ColormapRow) -> ColormapRecord:
    stops = tuple(ColorStop(float(p), str(c)) for p, c in json.loads(row.stops))
    return ColormapRecord(owner_id=row.owner_id, name=row.name, stops=stops, created_at=row.created_at)


# -- datasets ------------------------------------------------------------------------------


def add_dataset(session: AsyncSession, record: DatasetRecord) -> None:
    session.add(
        DatasetRow(
            id=record.id,
            owner_id=record.owner_id,
            name=record.name,
            rows=record.rows,
            skipped_rows=json.dumps([[s.line, s.reason] for s in record.skipped_rows]),
            skipped_count=record.skipped_count,
            depth_min=record.depth_min,
            depth_max=record.depth_max,
            source_width=record.source_width,
            width=record.width,
            color_min=record.color_scale.vmin,
            color_max=record.color_scale.vmax,
            created_at=record.created_at,
        )
    )


def _row_batches(
    dataset_id: str, keys: np.ndarray, depths: np.ndarray, resized: np.ndarray, original: np.ndarray, batch: int
) -> Iterator[list[dict]]:
    """Parameter dicts for the bulk insert, ``batch`` rows at a time (memory stays bounded)."""
    for start in range(0, keys.shape[0], batch):
        stop = start + batch
        small, big = resized[start:stop].tobytes(), original[start:stop].tobytes()
        w, n = resized.shape[1], original.shape[1]
        yield [
            {
                "dataset_id": dataset_id,
                "depth_key": k,
                "depth": d,
                "resized": small[i * w : (i + 1) * w],
                "original": big[i * n : (i + 1) * n],
            }
            for i, (k, d) in enumerate(zip(keys[start:stop].tolist(), depths[start:stop].tolist(), strict=True))
        ]


async def insert_rows(
    session: AsyncSession,
    dataset_id: str,
    keys: np.ndarray,
    depths: np.ndarray,
    resized: np.ndarray,
    original: np.ndarray,
    batch: int = 5_000,
) -> None:
    """Bulk insert, never one statement per row: COPY on PostgreSQL, executemany in batches on SQLite."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await _copy_rows(connection, dataset_id, keys, depths, resized, original)
        return
    for params in _row_batches(dataset_id, keys, depths, resized, original, batch):
        await session.execute(insert(_ROWS), params)


async def _copy_rows(
    connection, dataset_id: str, keys: np.ndarray, depths: np.ndarray, resized: np.ndarray, original: np.ndarray
) -> None:
    """PostgreSQL COPY FROM STDIN on the session's own connection (same transaction); about 2x executemany."""
    raw = (await connection.get_raw_connection()).driver_connection
    statement = "COPY depth_rows (dataset_id, depth_key, depth, resized, original) FROM STDIN"
    async with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for key, depth, small, big in zip(keys.tolist(), depths.tolist(), resized, original, strict=True):
            await copy.write_row((dataset_id, key, depth, small.tobytes(), big.tobytes()))


async def dataset_by_id(session: AsyncSession, dataset_id: str) -> DatasetRow | None:
    return await session.get(DatasetRow, dataset_id)


async def newest_dataset(session: AsyncSession, owner_id: str) -> DatasetRow | None:
    query = (
        select(DatasetRow)
        .where(DatasetRow.owner_id == owner_id)
        .order_by(DatasetRow.created_at.desc(), DatasetRow.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_datasets(
    session: AsyncSession, owner_id: str, before: tuple[datetime, str] | None, limit: int
) -> list[DatasetRow]:
    """Newest first; ``before`` = the (created_at, id) of the previous page's last item."""
    query = (
        select(DatasetRow)
        .where(DatasetRow.owner_id == owner_id)
        .order_by(DatasetRow.created_at.desc(), DatasetRow.id.desc())
        .limit(limit)
    )
    if before is not None:
        created_at, dataset_id = before
        query = query.where(
            or_(
                DatasetRow.created_at < created_at,
                and_(DatasetRow.created_at == created_at, DatasetRow.id < dataset_id),
            )
        )
    return list((await session.execute(query)).scalars())


async def delete_dataset(session: AsyncSession, dataset_id: str) -> None:
    await session.execute(delete(_ROWS).where(_ROWS.c.dataset_id == dataset_id))
    await session.execute(delete(DatasetRow).where(DatasetRow.id == dataset_id))


async def rows_in_range(
    session: AsyncSession, dataset_id: str, key_min: int | None, key_max: int | None
) -> tuple[list[float], list[bytes]]:
    """(depths, resized row bytes) with key_min <= depth_key <= key_max, in depth order (index range scan)."""
    query = select(_ROWS.c.depth, _ROWS.c.resized).where(_ROWS.c.dataset_id == dataset_id)
    if key_min is not None:
        query = query.where(_ROWS.c.depth_key >= key_min)
    if key_max is not None:
        query = query.where(_ROWS.c.depth_key <= key_max)
    result = await session.execute(query.order_by(_ROWS.c.depth_key))
    rows = result.all()
    return [r[0] for r in rows], [bytes(r[1]) for r in rows]


async def original_rows(session: AsyncSession, dataset_id: str) -> tuple[list[float], list[bytes]]:
    """(depths, original row bytes) of a whole dataset, in depth order."""
    query = select(_ROWS.c.depth, _ROWS.c.original).where(_ROWS.c.dataset_id == dataset_id)
    rows = (await session.execute(query.order_by(_ROWS.c.depth_key))).all()
    return [r[0] for r in rows], [bytes(r[1]) for r in rows]


# -- colormaps -----------------------------------------------------------------------------


async def colormap(session: AsyncSession, owner_id: str, name: str) -> ColormapRow | None:
    return await session.get(ColormapRow, (owner_id, name))


def add_colormap(session: AsyncSession, record: ColormapRecord) -> None:
    session.add(
        ColormapRow(
            owner_id=record.owner_id,
            name=record.name,
            stops=json.dumps([[s.position, s.color] for s in record.stops]),
            created_at=record.created_at,
        )
    )


async def list_colormaps(session: AsyncSession, owner_id: str, after: str | None, limit: int) -> list[ColormapRow]:
    query = select(ColormapRow).where(ColormapRow.owner_id == owner_id).order_by(ColormapRow.name).limit(limit)
    if after is not None:
        query = query.where(ColormapRow.name > after)
    return list((await session.execute(query)).scalars())
