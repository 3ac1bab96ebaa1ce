"""Fixtures shared by every test tier."""

from __future__ import annotations

import pytest

from imagemesh_kit.testing import DatabaseTarget, db_backends, drop_pg_schema, new_pg_schema, pg_url


@pytest.fixture(params=db_backends())
def database(request, tmp_path):
    """A fresh, empty database for one test: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", None)
        return
    url, schema = pg_url(), new_pg_schema()
    try:
        yield DatabaseTarget("postgresql", url, schema)
    finally:
        drop_pg_schema(url, schema)
