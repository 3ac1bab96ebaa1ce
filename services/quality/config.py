"""Quality service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

import os

from pydantic import Field

from imagemesh_kit.config import DatabaseSettings


class QualitySettings(DatabaseSettings):
    port: int = Field(50053, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/quality.db"
    # CPU work (decode, metrics, enhancement) runs on this many threads (OpenCV releases the GIL).
    cpu_workers: int = Field(default_factory=lambda: max(os.cpu_count() or 1, 1), ge=1, le=64)
    # Images larger than this are refused before decoding (storage allows up to 50 MP).
    max_image_pixels: int = Field(50_000_000, ge=256, le=100_000_000)
    # Calls to the storage service (download, upload of enhanced images).
    storage_timeout_s: float = Field(60.0, gt=0, le=600)
