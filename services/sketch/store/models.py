"""The sketch service's tables: only the kit's jobs table (a sketch is a job; its style, method, params
and source image live in the job's params, its result image id in the job's result)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from imagemesh_kit.jobs.table import jobs_table


class Base(DeclarativeBase):
    metadata = MetaData()


jobs = jobs_table(Base.metadata)
