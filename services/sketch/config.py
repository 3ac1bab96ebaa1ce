"""Sketch service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

import os

from pydantic import Field

from imagemesh_kit.config import MIB
from imagemesh_kit.jobs.settings import JobSettings


class SketchSettings(JobSettings):
    port: int = Field(50054, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/sketch.db"

    # Jobs (the rest in JobSettings): sketches rendered at once, default one per core.
    worker_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)

    # Results: PNG, or JPEG (quality 95) when the PNG would not fit in storage's image size limit.
    max_png_bytes: int = Field(24 * MIB, ge=1)
    png_compression: int = Field(1, ge=0, le=9)
