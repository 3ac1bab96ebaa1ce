"""Facial service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from imagemesh_kit.jobs.settings import JobSettings


class FacialSettings(JobSettings):
    port: int = Field(50056, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/facial.db"
    # The synchronous ComputeContours is for small images; larger ones go through jobs (25 MP).
    sync_max_pixels: int = Field(2_000_000, ge=65_536, le=25_000_000)
    # Jobs run at once (0: an API-only replica; the replicas with workers run the jobs). See JobSettings.
    worker_concurrency: int = Field(2, ge=0, le=32)
    # Perceptual cache: max pHash distance of a hit (0..7) and how many entries the table keeps.
    cache_max_distance: int = Field(6, ge=0, le=7)
    cache_max_entries: int = Field(10_000, ge=1, le=10_000_000)
    # Entries also kept in this process (in front of the table): a hit seen here needs no query.
    cache_memory_entries: int = Field(256, ge=1, le=100_000)
