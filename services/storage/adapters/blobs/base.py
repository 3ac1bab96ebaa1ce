"""The BlobStore interface: content-addressed, async, safe to call from a grpc.aio server.

Keys are the lowercase sha256 hex of the content, so identical bytes are stored once and `put` is
idempotent. Every method is a coroutine; implementations run blocking I/O (files, boto3) in an
executor, never on the event loop.

Writing is two-phase so the metadata layer can make blob visibility and reference counts change
together (see docs/storage/INTEGRATION.md):
  staged = await store.stage_stream(chunks)   # hashed while written; invisible; bounded memory
  ...validate (open_staged + inspect_file), lock the blob's refcount row...
  await store.commit(staged)                  # make visible under the key (idempotent)
  await store.discard(staged)                 # or throw it away (idempotent)
`put_stream` does both in one go.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, NamedTuple

from imagemesh_kit.errors import NotFound

from .chunks import Chunks

DEFAULT_CHUNK_SIZE = 256 * 1024
BLOB_NOT_FOUND = "BLOB_NOT_FOUND"
UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
BLOB_STORE_UNAVAILABLE = "BLOB_STORE_UNAVAILABLE"


class PutResult(NamedTuple):
    """Where content went: its key (sha256 hex) and size in bytes; unpacks as (sha256, size)."""

    sha256: str
    size: int


@dataclass(frozen=True)
class StagedBlob:
    """Content written and hashed but not yet visible under its key. `handle` is backend-private."""

    sha256: str
    size: int
    handle: Any = field(repr=False, compare=False)


@dataclass(frozen=True)
class PresignedUrl:
    """An expiring URL: the client sends `method` to `url` with `headers`, before `expires_at` (UTC)."""

    url: str
    method: str
    expires_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


def blob_not_found() -> NotFound:
    return NotFound("the blob does not exist", reason=BLOB_NOT_FOUND)


def upload_not_found() -> NotFound:
    return NotFound("the upload does not exist or was already confirmed", reason=UPLOAD_NOT_FOUND)


class BlobStore(ABC):
    """Content-addressed blob storage. All methods are coroutines."""

    # ---- writing -------------------------------------------------------------------------------
    @abstractmethod
    async def stage_stream(
        self, chunks: Chunks, *, max_bytes: int | None = None, expected_sha256: str | None = None
    ) -> StagedBlob:
        """Write `chunks` (sync or async iterable of bytes) to an invisible staging place, hashing
        as they arrive. Over `max_bytes` -> ResourceExhausted(IMAGE_TOO_LARGE); sha mismatch ->
        InvalidArgument(CHECKSUM_MISMATCH). On any failure nothing is left behind."""

    @abstractmethod
    async def commit(self, staged: StagedBlob) -> PutResult:
        """Make a staged blob visible under its sha256: atomic and idempotent; until `discard` it may
        be called again and re-creates the blob if it was deleted meanwhile."""

    @abstractmethod
    async def discard(self, staged: StagedBlob) -> None:
        """Throw a staged blob away (idempotent)."""

    @abstractmethod
    def open_staged(self, staged: StagedBlob) -> contextlib.AbstractAsyncContextManager[BinaryIO]:
        """`async with store.open_staged(s) as f:` a seekable, blocking binary file of the staged
        content, e.g. for `inspect_file` run in a thread."""

    async def put_stream(
        self, chunks: Chunks, *, max_bytes: int | None = None, expected_sha256: str | None = None
    ) -> PutResult:
        """Stage then commit: store `chunks` and return (sha256, size)."""
        staged = await self.stage_stream(chunks, max_bytes=max_bytes, expected_sha256=expected_sha256)
        try:
            return await self.commit(staged)
        finally:
            await self.discard(staged)

    async def put_bytes(self, data: bytes) -> PutResult:
        """Store `data` (convenience for small, already-in-memory blobs such as thumbnails)."""
        return await self.put_stream([data])

    # ---- reading -------------------------------------------------------------------------------
    @abstractmethod
    def read_stream(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Async iterator over the blob's bytes in chunks of at most `chunk_size`.
        NotFound(BLOB_NOT_FOUND) is raised on first iteration when the blob is missing."""

    async def read_bytes(self, key: str) -> bytes:
        """The whole blob in memory (for images already known to be within the size limit)."""
        parts = [chunk async for chunk in self.read_stream(key, 1024 * 1024)]
        return b"".join(parts)

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether a blob is visible under `key`."""

    @abstractmethod
    async def size(self, key: str) -> int:
        """The blob's size in bytes; NotFound(BLOB_NOT_FOUND) when missing."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Remove the blob; True if it existed. Idempotent. Only call it under the refcount
        protocol of docs/storage/INTEGRATION.md, since keys are shared by identical content."""

    # ---- presigned URLs ------------------------------------------------------------------------
    @abstractmethod
    async def presign_get(
        self, key: str, expires_in: int, *, content_type: str | None = None, filename: str | None = None
    ) -> PresignedUrl:
        """An expiring GET URL for the blob (optionally served with this Content-Type and as an
        attachment named `filename`)."""

    @abstractmethod
    async def presign_upload(self, upload_id: str, expires_in: int, *, content_type: str | None = None) -> PresignedUrl:
        """An expiring PUT URL where a client uploads the bytes of upload `upload_id`."""

    @abstractmethod
    async def stage_upload(self, upload_id: str, *, max_bytes: int | None = None) -> StagedBlob:
        """Claim a presigned upload's bytes as a staged blob (hashing them). The upload is consumed:
        a second call answers NotFound(UPLOAD_NOT_FOUND). Over `max_bytes` the upload is deleted
        and ResourceExhausted(IMAGE_TOO_LARGE) raised."""
