"""Helpers for tests of any service: database targets (SQLite, PostgreSQL) and in-process servers."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from sqlalchemy import text

from imagemesh_kit.db import sync_engine_for

PG_URL_ENV = "IMAGEMESH_TEST_PG_URL"


def db_backends() -> list[str]:
    """SQLite always; PostgreSQL too when IMAGEMESH_TEST_PG_URL is set (make test sets it when one answers)."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


@dataclass(frozen=True)
class DatabaseTarget:
    backend: str
    url: str
    schema: str | None


def new_pg_schema(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def drop_pg_schema(url: str, schema: str) -> None:
    engine = sync_engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def pg_url() -> str:
    url = os.environ[PG_URL_ENV]
    return url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1)
