"""Fixtures for the restoration tests: real images (skimage.data) and tiny model directories."""

from __future__ import annotations

import os

import numpy as np
import pytest
import skimage.data

os.environ.setdefault("RESTORATION_ORT_THREADS", "1")


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    return skimage.data.astronaut()


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    return skimage.data.chelsea()


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    return skimage.data.coffee()


@pytest.fixture(scope="session")
def shipped_registry():
    from services.restoration.adapters.model_registry import ModelRegistry

    return ModelRegistry()


# -- the service in-process: real auth + storage + restoration, on both databases ---------------------


@pytest.fixture
async def storage(database, auth_server, tmp_path):
    from services.storage.tests.harness import start_storage

    async with start_storage("local", database, auth_server, tmp_path, None) as harness:
        yield harness


@pytest.fixture
def restoration_db(database, tmp_path):
    """The restoration service's own database, on the same backend as `database` (storage's)."""
    from imagemesh_kit.testing import DatabaseTarget, drop_pg_schema, new_pg_schema

    if database.backend == "sqlite":
        yield DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'restoration.db'}", None)
        return
    schema = new_pg_schema()
    try:
        yield DatabaseTarget("postgresql", database.url, schema)
    finally:
        drop_pg_schema(database.url, schema)


@pytest.fixture
async def restoration(storage, restoration_db):
    from services.restoration.tests.harness import start_restoration

    async with start_restoration(storage, restoration_db) as harness:
        yield harness
