"""Rows of a job's own: its inline input and its result (keyed by the job id, deleted with the job)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from imagemesh_kit.db_types import utcnow
from services.facial.store.models import JobInputRow, JobResultRow

INPUTS = JobInputRow.__table__
RESULTS = JobResultRow.__table__


async def add_input(conn: AsyncConnection, job_id: str, image: bytes, segmentation_map: bytes | None) -> None:
    await conn.execute(sa.insert(INPUTS).values(job_id=job_id, image=image, segmentation_map=segmentation_map))


async def get_input(conn: AsyncConnection, job_id: str):
    return (await conn.execute(sa.select(INPUTS).where(INPUTS.c.job_id == job_id))).first()


async def put_result(conn: AsyncConnection, job_id: str, values: dict) -> None:
    """Idempotent: a rerun of the job (after a lost lease) replaces the first result."""
    await conn.execute(sa.delete(RESULTS).where(RESULTS.c.job_id == job_id))
    await conn.execute(sa.insert(RESULTS).values(job_id=job_id, created_at=utcnow(), **values))


async def get_result(conn: AsyncConnection, job_id: str):
    return (await conn.execute(sa.select(RESULTS).where(RESULTS.c.job_id == job_id))).first()
