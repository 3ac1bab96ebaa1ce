"""Configuration of the S3 blob store, and the boto3 clients built from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imagemesh_kit.errors import InvalidArgument

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's minimum multipart part size (except the last part)


@dataclass(frozen=True)
class S3Config:
    """Where and how to reach the bucket. Credentials left None fall back to boto3's default chain.

    `public_endpoint_url` is the endpoint clients can reach (used only to sign presigned URLs) when
    it differs from the service's own `endpoint_url` (e.g. an internal MinIO host name).
    Objects larger than `part_size` are written with multipart upload, one part in memory at a time.
    """

    bucket: str
    region: str = "us-east-1"
    endpoint_url: str | None = None
    public_endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    key_prefix: str = ""
    part_size: int = 8 * 1024 * 1024
    addressing_style: str = "auto"  # AWS: virtual hosts; set "path" for MinIO / moto behind a host name
    spool_dir: str | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0
    max_attempts: int = 3
    max_pool_connections: int = 16

    def __post_init__(self) -> None:
        if not self.bucket:
            raise InvalidArgument.for_field("bucket", "must not be empty")
        if self.part_size < MIN_PART_SIZE:
            raise InvalidArgument.for_field("part_size", f"must be at least {MIN_PART_SIZE} bytes")
        if self.addressing_style not in ("path", "virtual", "auto"):
            raise InvalidArgument.for_field("addressing_style", "must be path, virtual or auto")
        if self.key_prefix and not self.key_prefix.endswith("/"):
            raise InvalidArgument.for_field("key_prefix", "must be empty or end with '/'")


def make_session(config: S3Config) -> Any:
    """A boto3 session holding `config`'s credentials (create it once; clients share it)."""
    import boto3

    return boto3.session.Session(
        aws_access_key_id=config.access_key_id,
        aws_secret_access_key=config.secret_access_key,
        aws_session_token=config.session_token,
        region_name=config.region,
    )


def make_client(config: S3Config, session: Any, *, endpoint_url: str | None, for_presigning: bool = False) -> Any:
    """A boto3 S3 client for `config` (thread-safe; shared by the executor's threads)."""
    from botocore.config import Config

    options: dict[str, Any] = {
        "region_name": config.region,
        "s3": {"addressing_style": config.addressing_style},
        "signature_version": "s3v4",
        "retries": {"max_attempts": config.max_attempts, "mode": "standard"},
        "connect_timeout": config.connect_timeout_s,
        "read_timeout": config.read_timeout_s,
        "max_pool_connections": config.max_pool_connections,
    }
    if for_presigning:
        # Plain HTTP clients cannot send SDK checksum headers: sign only what they will send.
        options["request_checksum_calculation"] = "when_required"
    return session.client("s3", endpoint_url=endpoint_url, config=Config(**options))
