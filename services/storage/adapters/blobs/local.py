"""Local-directory blob store: atomic, durable, content-addressed files under a root directory.

Layout (all on one file system, so rename is atomic):
  <root>/blobs/ab/cd/<sha256>   visible blobs, sharded by the first two bytes of the hash
  <root>/tmp/<random>.part      staged writes (temp file, written, fsynced, then renamed in)
  <root>/uploads/<upload_id>    bytes received through presigned upload URLs, until confirmed
A reader never sees a partial blob: a blob path only ever appears by hard link (or rename) of a
fsynced file, and the shard directory is fsynced afterwards. Temp files left by a crash are removed by
`sweep_stale_files`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import urlencode

from .base import (
    DEFAULT_CHUNK_SIZE,
    BlobStore,
    PresignedUrl,
    PutResult,
    StagedBlob,
    blob_not_found,
    upload_not_found,
)
from .chunks import Chunks, HashingCounter, pump, validate_chunk_size
from .fsync import fsync_dir, make_dirs_durable
from .keys import shard_parts, validate_key, validate_upload_id
from .signer import UrlSigner

T = TypeVar("T")
_HASH_READ_SIZE = 1024 * 1024


class LocalBlobStore(BlobStore):
    """Blobs in a local directory. Presigned URLs point at `public_base_url` + `url_prefix` paths
    that the service serves itself after `signer.verify(...)` (see `blob_path`/`upload_path`)."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        signer: UrlSigner | None = None,
        public_base_url: str = "http://localhost:8080",
        url_prefix: str = "/v1/blob-access",
        executor: Executor | None = None,
        fsync: bool = True,
    ) -> None:
        self.root = Path(root)
        self._blobs = self.root / "blobs"
        self._tmp = self.root / "tmp"
        self._uploads = self.root / "uploads"
        for directory in (self._blobs, self._tmp, self._uploads):
            directory.mkdir(parents=True, exist_ok=True)
        self._signer = signer
        self._base_url = public_base_url.rstrip("/")
        self._prefix = "/" + url_prefix.strip("/")
        self._executor = executor
        self._fsync = fsync

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _blob_file(self, key: str) -> Path:
        first, second, name = shard_parts(key)
        return self._blobs / first / second / name

    # ---- writing -------------------------------------------------------------------------------
    async def stage_stream(
        self, chunks: Chunks, *, max_bytes: int | None = None, expected_sha256: str | None = None
    ) -> StagedBlob:
        temp = self._tmp / f"{uuid.uuid4().hex}.part"
        counter = HashingCounter(max_bytes)
        handle = await self._run(open, temp, "xb")
        try:

            def write_batch(batch: list[bytes]) -> None:
                counter.add(batch)
                for chunk in batch:
                    handle.write(chunk)

            await pump(chunks, write_batch, self._executor)
            sha = counter.finish(expected_sha256)
            await self._run(self._flush_and_close, handle)
        except BaseException:
            await self._run(self._abandon, handle, temp)
            raise
        return StagedBlob(sha, counter.size, temp)

    def _flush_and_close(self, handle: BinaryIO) -> None:
        handle.flush()
        if self._fsync:
            os.fsync(handle.fileno())
        handle.close()

    @staticmethod
    def _abandon(handle: BinaryIO, temp: Path) -> None:
        handle.close()
        temp.unlink(missing_ok=True)

    async def commit(self, staged: StagedBlob) -> PutResult:
        await self._run(self._commit_sync, staged)
        return PutResult(staged.sha256, staged.size)

    def _commit_sync(self, staged: StagedBlob) -> None:
        target = self._blob_file(staged.sha256)
        if target.exists():
            return  # identical content already visible
        make_dirs_durable(target.parent, self._blobs)
        try:
            # A hard link publishes the fsynced temp file atomically and keeps the staged copy, so a
            # repeated commit can re-create the blob until `discard` (e.g. a retried transaction).
            os.link(staged.handle, target)
        except FileExistsError:
            return  # committed concurrently with identical content
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            os.replace(staged.handle, target)  # file systems without hard links
        if self._fsync:
            fsync_dir(target.parent)

    async def discard(self, staged: StagedBlob) -> None:
        await self._run(Path(staged.handle).unlink, True)

    @contextlib.asynccontextmanager
    async def open_staged(self, staged: StagedBlob) -> AsyncIterator[BinaryIO]:
        handle = await self._run(open, staged.handle, "rb")
        try:
            yield handle
        finally:
            await self._run(handle.close)

    # ---- reading -------------------------------------------------------------------------------
    async def read_stream(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        path = self._blob_file(key)
        validate_chunk_size(chunk_size)
        try:
            handle = await self._run(open, path, "rb")
        except FileNotFoundError:
            raise blob_not_found() from None
        try:
            while chunk := await self._run(handle.read, chunk_size):
                yield chunk
        finally:
            await self._run(handle.close)

    async def exists(self, key: str) -> bool:
        return await self._run(self._blob_file(key).is_file)

    async def size(self, key: str) -> int:
        try:
            return (await self._run(self._blob_file(key).stat)).st_size
        except FileNotFoundError:
            raise blob_not_found() from None

    async def delete(self, key: str) -> bool:
        return await self._run(self._delete_sync, self._blob_file(key))

    def _delete_sync(self, path: Path) -> bool:
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        if self._fsync:
            fsync_dir(path.parent)
        return True

    # ---- presigned URLs ------------------------------------------------------------------------
    def blob_path(self, key: str) -> str:
        """The URL path the service must serve (GET) for signed downloads of `key`."""
        return f"{self._prefix}/blobs/{validate_key(key)}"

    def upload_path(self, upload_id: str) -> str:
        """The URL path the service must serve (PUT) for signed uploads of `upload_id`."""
        return f"{self._prefix}/uploads/{validate_upload_id(upload_id)}"

    def _presign(self, method: str, path: str, expires_in: int, params: dict[str, str]) -> PresignedUrl:
        if self._signer is None:
            raise RuntimeError("LocalBlobStore needs a UrlSigner for presigned URLs")
        query = self._signer.sign(method, path, expires_in, params)
        expires_at = datetime.fromtimestamp(int(query["expires"]), tz=UTC)
        return PresignedUrl(f"{self._base_url}{path}?{urlencode(query)}", method, expires_at)

    async def presign_get(
        self, key: str, expires_in: int, *, content_type: str | None = None, filename: str | None = None
    ) -> PresignedUrl:
        params = {"content_type": content_type, "filename": filename}
        return self._presign("GET", self.blob_path(key), expires_in, {k: v for k, v in params.items() if v})

    async def presign_upload(self, upload_id: str, expires_in: int, *, content_type: str | None = None) -> PresignedUrl:
        url = self._presign("PUT", self.upload_path(upload_id), expires_in, {})
        headers = {"Content-Type": content_type} if content_type else {}
        return PresignedUrl(url.url, url.method, url.expires_at, headers)

    async def receive_upload(self, upload_id: str, chunks: Chunks, *, max_bytes: int | None = None) -> int:
        """Store the body of a verified signed PUT as upload `upload_id` (atomic; a repeated PUT
        replaces it). Returns the size. Call only after `signer.verify("PUT", upload_path, query)`."""
        validate_upload_id(upload_id)
        staged = await self.stage_stream(chunks, max_bytes=max_bytes)
        await self._run(self._move_into, staged.handle, self._uploads / upload_id)
        return staged.size

    def _move_into(self, source: Path, target: Path) -> None:
        os.replace(source, target)
        if self._fsync:
            fsync_dir(target.parent)

    async def stage_upload(self, upload_id: str, *, max_bytes: int | None = None) -> StagedBlob:
        source = self._uploads / validate_upload_id(upload_id)
        claimed = self._tmp / f"{uuid.uuid4().hex}.part"
        try:
            await self._run(os.replace, source, claimed)  # atomic claim: one confirm wins
        except FileNotFoundError:
            raise upload_not_found() from None
        try:
            sha, size = await self._run(self._hash_file, claimed, max_bytes)
        except BaseException:
            await self._run(claimed.unlink, True)
            raise
        return StagedBlob(sha, size, claimed)

    @staticmethod
    def _hash_file(path: Path, max_bytes: int | None) -> tuple[str, int]:
        counter = HashingCounter(max_bytes)
        with open(path, "rb") as handle:
            while chunk := handle.read(_HASH_READ_SIZE):
                counter.add([chunk])
        return counter.finish(None), counter.size

    # ---- maintenance ---------------------------------------------------------------------------
    async def sweep_stale_files(self, older_than_s: float = 24 * 3600) -> int:
        """Remove staged temp files and unconfirmed uploads older than `older_than_s` (crash
        leftovers, abandoned presigned uploads). Returns how many were removed."""
        return await self._run(self._sweep_sync, older_than_s)

    def _sweep_sync(self, older_than_s: float) -> int:
        cutoff = time.time() - older_than_s
        removed = 0
        for directory in (self._tmp, self._uploads):
            for entry in directory.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < cutoff:
                        entry.unlink()
                        removed += 1
        return removed
