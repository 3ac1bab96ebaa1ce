"""Sketch service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

import os

from pydantic import Field

from imagemesh_kit.config import MIB, DatabaseSettings


class SketchSettings(DatabaseSettings):
    port: int = Field(50054, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/sketch.db"

    # Jobs: how many sketches this replica renders at once (0: an API-only replica that renders nothing),
    # how long a claimed job stays ours without a heartbeat, how often a transient failure is retried.
    worker_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)
    lease_s: float = Field(30.0, gt=0, le=3600)
    max_attempts: int = Field(3, ge=1, le=20)
    retry_backoff_s: float = Field(1.0, gt=0, le=600)
    poll_s: float = Field(0.5, gt=0, le=60, description="how often idle workers look for queued jobs")
    watch_poll_s: float = Field(0.25, gt=0, le=10, description="how often watchers look for other replicas' changes")
    watch_heartbeat_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="a quiet watch stream repeats the current state this often (proxy idle timeouts)",
    )

    # Results: PNG, or JPEG (quality 95) when the PNG would not fit in storage's image size limit.
    max_png_bytes: int = Field(24 * MIB, ge=1)
    png_compression: int = Field(1, ge=0, le=9)
