"""Facial service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from imagemesh_kit.config import DatabaseSettings


class FacialSettings(DatabaseSettings):
    port: int = Field(50056, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/facial.db"
    # The synchronous ComputeContours is for small images; larger ones go through jobs (25 MP).
    sync_max_pixels: int = Field(2_000_000, ge=65_536, le=25_000_000)
    # False: an API-only replica (jobs are run by the replicas that have workers).
    worker_enabled: bool = True
    worker_concurrency: int = Field(2, ge=1, le=32)
    job_lease_s: float = Field(30.0, ge=2, le=600)
    job_max_attempts: int = Field(3, ge=1, le=10)
    # Perceptual cache: max pHash distance of a hit (0..7) and how many entries the table keeps.
    cache_max_distance: int = Field(6, ge=0, le=7)
    cache_max_entries: int = Field(10_000, ge=1, le=10_000_000)
    # Entries also kept in this process (in front of the table): a hit seen here needs no query.
    cache_memory_entries: int = Field(256, ge=1, le=100_000)
