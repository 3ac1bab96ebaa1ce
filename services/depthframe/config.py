"""Depthframe service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from imagemesh_kit.config import MIB, DatabaseSettings


class DepthFrameSettings(DatabaseSettings):
    port: int = Field(50055, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/depthframe.db"
    default_width: int = Field(150, ge=1, le=100_000, description="stored width when a request gives none")
    max_upload_bytes: int = Field(256 * MIB, ge=1 * MIB, le=4096 * MIB, description="streamed upload limit")
    max_frames: int = Field(20_000, ge=1, le=1_000_000, description="frames per QueryFrames answer")
    max_image_rows: int = Field(200_000, ge=1, le=10_000_000, description="rows in one GetFrameImage PNG")
    insert_batch_rows: int = Field(5_000, ge=100, le=100_000, description="rows per bulk INSERT")
    cache_entries: int = Field(16, ge=0, le=1_000, description="rendered results kept per process (0 = none)")
