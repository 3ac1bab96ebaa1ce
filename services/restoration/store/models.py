"""The restoration service's tables: only the kit's jobs table (a restoration is a job; its source image,
steps and device live in the job's params, its result image id, timings and device in the job's result)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from imagemesh_kit.jobs.table import jobs_table


class Base(DeclarativeBase):
    metadata = MetaData()


jobs = jobs_table(Base.metadata)
