"""Fixtures: the quality service with a real storage and auth service (both databases)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def quality(database, auth_server, tmp_path):
    from .harness import start_quality

    async with start_quality(database, auth_server, tmp_path) as harness:
        yield harness
