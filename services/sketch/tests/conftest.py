"""Fixtures: real auth + storage + sketch services in-process, on both databases (each service its own)."""

from __future__ import annotations

import pytest

from imagemesh_kit.testing import DatabaseTarget, drop_pg_schema, new_pg_schema
from services.sketch.tests.harness import start_sketch
from services.storage.tests.harness import start_storage


@pytest.fixture
async def storage(database, auth_server, tmp_path):
    async with start_storage("local", database, auth_server, tmp_path, None) as harness:
        yield harness


@pytest.fixture
def sketch_db(database, tmp_path):
    """The sketch service's own database, on the same backend as `database` (storage's)."""
    if database.backend == "sqlite":
        yield DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'sketch.db'}", None)
        return
    schema = new_pg_schema()
    try:
        yield DatabaseTarget("postgresql", database.url, schema)
    finally:
        drop_pg_schema(database.url, schema)


@pytest.fixture
async def sketch(storage, sketch_db):
    async with start_sketch(storage, sketch_db) as harness:
        yield harness
