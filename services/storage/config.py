"""Storage service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from imagemesh_kit.config import DatabaseSettings

MIB = 1024 * 1024


class StorageSettings(DatabaseSettings):
    port: int = Field(50052, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/storage.db"

    # Limits of an image (25 MiB, 50 megapixels by default).
    max_image_bytes: int = Field(25 * MIB, ge=1, le=1024 * MIB)
    max_image_pixels: int = Field(50_000_000, ge=1, le=1_000_000_000)

    # Where the bytes go.
    blob_backend: Literal["local", "s3"] = "local"
    blob_dir: str = "var/blobs"
    blob_fsync: bool = True
    blob_threads: int = Field(16, ge=1, le=128)
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = None
    s3_access_key_id: str | None = Field(None, repr=False)
    s3_secret_access_key: str | None = Field(None, repr=False)
    s3_key_prefix: str = ""
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    s3_spool_dir: str | None = Field(None, description="temp files of S3 uploads (default: the system's)")
    s3_create_bucket: bool = Field(False, description="create the bucket at start-up (development, tests)")

    # Presigned URLs. Local backend: links point at Envoy (the launcher sets the public base URL).
    public_base_url: str = "http://127.0.0.1:8080"
    storage_url_secret: str = Field("", repr=False, description=">= 32 bytes; empty: generated once, kept in the DB")
    upload_url_ttl_s: int = Field(900, ge=10, le=7 * 86_400)
    download_url_ttl_s: int = Field(900, ge=1, le=7 * 86_400)

    # Housekeeping: unconfirmed uploads and crash leftovers older than this are removed.
    sweep_interval_s: float = Field(3600.0, gt=0)
    sweep_older_than_s: float = Field(86_400.0, gt=0)
