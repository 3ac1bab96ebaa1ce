"""S3 blob store (boto3; AWS, MinIO, moto...). Blobs live at `<prefix>blobs/<sha256>`, presigned
uploads at `<prefix>uploads/<upload_id>`.

Staging spools to a local temp file while hashing (the key is only known at the end); commit then
uploads it under its key (single PUT, or multipart above `part_size`, one part in memory at a time).
A presigned upload is staged by downloading it once into the spool (hashing it); commit uploads the
spooled bytes, i.e. exactly the bytes that were hashed and validated, so a client re-PUTting to a
still-valid URL meanwhile cannot slip other bytes under the key. (A server-side copy would save the
re-upload but needs CopySourceIfMatch, which not every S3 API - moto included - honours.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, TypeVar

from imagemesh_kit.errors import InvalidArgument

from ...domain.errors import image_too_large
from ...domain.filenames import content_disposition
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
from .keys import validate_key, validate_upload_id
from .s3_config import S3Config, make_client, make_session
from .s3_errors import is_missing, translate_s3_errors
from .signer import INVALID_EXPIRY

T = TypeVar("T")
_DOWNLOAD_READ_SIZE = 1024 * 1024


@dataclass
class _Spool:
    path: str
    upload_key: str | None = None  # set when staged from a presigned upload: deleted on discard


class S3BlobStore(BlobStore):
    """Blobs in an S3 bucket. Blocking boto3 calls run in `executor` (default: the loop's)."""

    def __init__(self, config: S3Config, *, executor: Executor | None = None) -> None:
        self.config = config
        session = make_session(config)
        self._client = make_client(config, session, endpoint_url=config.endpoint_url)
        self._presigner = make_client(
            config, session, endpoint_url=config.public_endpoint_url or config.endpoint_url, for_presigning=True
        )
        self._executor = executor

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def blob_key(self, key: str) -> str:
        return f"{self.config.key_prefix}blobs/{validate_key(key)}"

    def upload_key(self, upload_id: str) -> str:
        return f"{self.config.key_prefix}uploads/{validate_upload_id(upload_id)}"

    async def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (development and tests)."""
        await self._run(self._ensure_bucket_sync)

    def _ensure_bucket_sync(self) -> None:
        with translate_s3_errors("create bucket"):
            try:
                self._client.head_bucket(Bucket=self.config.bucket)
            except Exception as exc:
                if not is_missing(exc):
                    raise
                options: dict[str, Any] = {"Bucket": self.config.bucket}
                if self.config.region != "us-east-1":
                    options["CreateBucketConfiguration"] = {"LocationConstraint": self.config.region}
                self._client.create_bucket(**options)

    # ---- writing -------------------------------------------------------------------------------
    async def stage_stream(
        self, chunks: Chunks, *, max_bytes: int | None = None, expected_sha256: str | None = None
    ) -> StagedBlob:
        path, handle = await self._run(self._new_spool_file, "blob-")
        counter = HashingCounter(max_bytes)
        try:

            def write_batch(batch: list[bytes]) -> None:
                counter.add(batch)
                for chunk in batch:
                    handle.write(chunk)

            await pump(chunks, write_batch, self._executor)
            sha = counter.finish(expected_sha256)
        except BaseException:
            handle.close()
            await self._run(os.unlink, path)
            raise
        handle.close()
        return StagedBlob(sha, counter.size, _Spool(path))

    def _new_spool_file(self, prefix: str) -> tuple[str, BinaryIO]:
        fd, path = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=self.config.spool_dir)
        return path, os.fdopen(fd, "wb")

    async def commit(self, staged: StagedBlob) -> PutResult:
        await self._run(self._commit_sync, staged)
        return PutResult(staged.sha256, staged.size)

    def _commit_sync(self, staged: StagedBlob) -> None:
        spool: _Spool = staged.handle
        key = self.blob_key(staged.sha256)
        if self._exists_sync(key):
            return
        with translate_s3_errors("commit"):
            if staged.size <= self.config.part_size:
                with open(spool.path, "rb") as body:
                    self._client.put_object(Bucket=self.config.bucket, Key=key, Body=body)
            else:
                self._multipart_upload(spool.path, key)

    def _multipart_upload(self, path: str, key: str) -> None:
        bucket = self.config.bucket
        upload_id = self._client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        try:
            parts = []
            with open(path, "rb") as source:
                number = 1
                while part := source.read(self.config.part_size):
                    answer = self._client.upload_part(
                        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
                    )
                    parts.append({"PartNumber": number, "ETag": answer["ETag"]})
                    number += 1
            self._client.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise

    async def discard(self, staged: StagedBlob) -> None:
        await self._run(self._discard_sync, staged.handle)

    def _discard_sync(self, spool: _Spool) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(spool.path)
        if spool.upload_key is not None:
            with translate_s3_errors("discard upload"):
                self._client.delete_object(Bucket=self.config.bucket, Key=spool.upload_key)

    @contextlib.asynccontextmanager
    async def open_staged(self, staged: StagedBlob) -> AsyncIterator[BinaryIO]:
        handle = await self._run(open, staged.handle.path, "rb")
        try:
            yield handle
        finally:
            await self._run(handle.close)

    # ---- reading -------------------------------------------------------------------------------
    async def read_stream(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        object_key = self.blob_key(key)
        validate_chunk_size(chunk_size)
        body = await self._run(self._open_body, object_key)
        try:
            while True:
                with translate_s3_errors("read"):
                    chunk = await self._run(body.read, chunk_size)
                if not chunk:
                    break
                yield chunk
        finally:
            await self._run(body.close)

    def _open_body(self, object_key: str) -> Any:
        with translate_s3_errors("get"):
            try:
                return self._client.get_object(Bucket=self.config.bucket, Key=object_key)["Body"]
            except Exception as exc:
                if is_missing(exc):
                    raise blob_not_found() from None
                raise

    def _head_sync(self, object_key: str) -> dict[str, Any] | None:
        with translate_s3_errors("head"):
            try:
                return self._client.head_object(Bucket=self.config.bucket, Key=object_key)
            except Exception as exc:
                if is_missing(exc):
                    return None
                raise

    def _exists_sync(self, object_key: str) -> bool:
        return self._head_sync(object_key) is not None

    async def exists(self, key: str) -> bool:
        return await self._run(self._exists_sync, self.blob_key(key))

    async def size(self, key: str) -> int:
        head = await self._run(self._head_sync, self.blob_key(key))
        if head is None:
            raise blob_not_found()
        return int(head["ContentLength"])

    async def delete(self, key: str) -> bool:
        return await self._run(self._delete_sync, self.blob_key(key))

    def _delete_sync(self, object_key: str) -> bool:
        existed = self._exists_sync(object_key)
        with translate_s3_errors("delete"):
            self._client.delete_object(Bucket=self.config.bucket, Key=object_key)
        return existed

    # ---- presigned URLs ------------------------------------------------------------------------
    def _presign(self, operation: str, params: dict[str, Any], expires_in: int) -> tuple[str, datetime]:
        if not 1 <= expires_in <= 7 * 24 * 3600:
            raise InvalidArgument.for_field("expires_in", "must be from 1 second to 7 days", reason=INVALID_EXPIRY)
        expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=expires_in)
        url = self._presigner.generate_presigned_url(
            operation, Params={"Bucket": self.config.bucket, **params}, ExpiresIn=expires_in
        )
        return url, expires_at

    async def presign_get(
        self, key: str, expires_in: int, *, content_type: str | None = None, filename: str | None = None
    ) -> PresignedUrl:
        params: dict[str, Any] = {"Key": self.blob_key(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        url, expires_at = self._presign("get_object", params, expires_in)
        return PresignedUrl(url, "GET", expires_at)

    async def presign_upload(self, upload_id: str, expires_in: int, *, content_type: str | None = None) -> PresignedUrl:
        params: dict[str, Any] = {"Key": self.upload_key(upload_id)}
        if content_type:
            params["ContentType"] = content_type
        url, expires_at = self._presign("put_object", params, expires_in)
        headers = {"Content-Type": content_type} if content_type else {}
        return PresignedUrl(url, "PUT", expires_at, headers)

    async def stage_upload(self, upload_id: str, *, max_bytes: int | None = None) -> StagedBlob:
        object_key = self.upload_key(upload_id)
        return await self._run(self._stage_upload_sync, object_key, max_bytes)

    def _stage_upload_sync(self, object_key: str, max_bytes: int | None) -> StagedBlob:
        with translate_s3_errors("download upload"):
            try:
                answer = self._client.get_object(Bucket=self.config.bucket, Key=object_key)
            except Exception as exc:
                if is_missing(exc):
                    raise upload_not_found() from None
                raise
        body = answer["Body"]
        if max_bytes is not None and int(answer["ContentLength"]) > max_bytes:
            body.close()
            with translate_s3_errors("delete upload"):
                self._client.delete_object(Bucket=self.config.bucket, Key=object_key)
            raise image_too_large(max_bytes)
        path, handle = self._new_spool_file("upload-")
        counter = HashingCounter(max_bytes)
        try:
            with handle as spool, translate_s3_errors("download upload"):
                while chunk := body.read(_DOWNLOAD_READ_SIZE):
                    counter.add([chunk])
                    spool.write(chunk)
        except BaseException:
            os.unlink(path)
            raise
        finally:
            body.close()
        return StagedBlob(counter.finish(None), counter.size, _Spool(path, object_key))
