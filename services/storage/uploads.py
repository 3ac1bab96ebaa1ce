"""Presigned uploads and the local backend's signed URLs. No gRPC here.

Flow: CreateUpload (a pending row + a presigned PUT URL) -> the client PUTs the bytes (to S3, or to
PutUploadContent on the local backend) -> ConfirmUpload claims the row (pending -> confirming, atomic),
claims the bytes (`stage_upload`), validates and records them like any upload, and marks the row
confirmed in the image's transaction. Confirming a confirmed upload returns its image again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from imagemesh_kit.context import Principal
from imagemesh_kit.db_types import utcnow
from imagemesh_kit.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from services.storage.adapters.blobs.base import UPLOAD_NOT_FOUND, PresignedUrl, upload_not_found
from services.storage.adapters.blobs.chunks import Chunks
from services.storage.adapters.blobs.keys import new_upload_id, validate_key, validate_upload_id
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.adapters.blobs.signer import UrlSigner
from services.storage.domain.errors import image_too_large
from services.storage.domain.formats import ImageFormat
from services.storage.domain.images import NewImage, StoredImage, image_not_found
from services.storage.store import repository as repo
from services.storage.store.models import ImageRow, UploadRow
from services.storage.use_cases import ImageUseCases

CONTENT_TYPES = {f.content_type for f in ImageFormat}


@dataclass(frozen=True)
class StartedUpload:
    upload_id: str
    url: PresignedUrl


class UploadUseCases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        images: ImageUseCases,
        *,
        upload_url_ttl_s: int,
        signer: UrlSigner | None = None,
    ) -> None:
        self._sessions = sessions
        self._images = images
        self._store = images.store
        self._limits = images.limits
        self._ttl = upload_url_ttl_s
        self._signer = signer

    async def create(self, caller: Principal, new: NewImage, *, content_type: str, size_bytes: int) -> StartedUpload:
        if content_type not in CONTENT_TYPES:
            raise InvalidArgument.for_field(
                "content_type", "must be " + ", ".join(sorted(CONTENT_TYPES)), reason="UNSUPPORTED_MEDIA_TYPE"
            )
        if size_bytes <= 0:
            raise InvalidArgument.for_field("size_bytes", "must be positive", reason="INVALID_SIZE")
        if size_bytes > self._limits.max_bytes:
            raise image_too_large(self._limits.max_bytes)
        await self._images.check_source(caller, new)
        upload_id = new_upload_id()
        url = await self._store.presign_upload(upload_id, self._ttl, content_type=content_type)
        now = utcnow()
        async with self._sessions.begin() as session:
            session.add(
                UploadRow(
                    id=upload_id,
                    owner_id=caller.subject,
                    filename=new.filename,
                    description=new.description,
                    kind=new.kind,
                    source_image_id=new.source_image_id,
                    content_type=content_type,
                    size_bytes=size_bytes,
                    state="pending",
                    expires_at=url.expires_at,
                    created_at=now,
                )
            )
        return StartedUpload(upload_id, url)

    async def confirm(self, caller: Principal, upload_id: str, request_id: str | None) -> StoredImage:
        validate_upload_id(upload_id)
        async with self._sessions() as session:
            row = await repo.upload_by_id(session, upload_id)
        if row is None or row.owner_id != caller.subject:
            raise upload_not_found()
        new = NewImage(row.filename, row.description, row.kind, row.source_image_id, request_id)
        if (first := await self._images.existing(caller, new)) is not None:
            return first
        if row.state == "confirmed":
            return await self._images.get(caller, row.image_id or "")
        if row.state == "failed":
            raise upload_not_found()
        if row.state == "pending" and row.expires_at < utcnow() - timedelta(seconds=5):
            raise FailedPrecondition("the upload URL has expired; start a new upload", reason="UPLOAD_EXPIRED")
        async with self._sessions.begin() as session:
            claimed = await repo.set_upload_state(session, upload_id, "confirming", expect="pending")
        if not claimed:
            raise Aborted("this upload is being confirmed by another call", reason="UPLOAD_BUSY")
        return await self._confirm_claimed(caller, upload_id, new)

    async def _confirm_claimed(self, caller: Principal, upload_id: str, new: NewImage) -> StoredImage:
        try:
            staged = await self._store.stage_upload(upload_id, max_bytes=self._limits.max_bytes)
        except NotFound as exc:
            if exc.reason != UPLOAD_NOT_FOUND:
                raise
            await self._set_state(upload_id, "pending")  # nothing was PUT yet: the client may still do it
            raise FailedPrecondition(
                "no bytes were uploaded to upload_url yet", reason="UPLOAD_CONTENT_MISSING"
            ) from None
        except BaseException:
            await self._set_state(upload_id, "failed")
            raise

        async def mark_confirmed(session: AsyncSession, image: ImageRow) -> None:
            await repo.set_upload_state(session, upload_id, "confirmed", image_id=image.id)

        try:
            return await self._images.writer.save(caller.subject, new, staged, on_commit=mark_confirmed)
        except BaseException:
            await self._set_state(upload_id, "failed")  # the bytes are consumed: a new upload is needed
            raise

    async def _set_state(self, upload_id: str, state: str) -> None:
        async with self._sessions.begin() as session:
            await repo.set_upload_state(session, upload_id, state)

    # -- the local backend's signed URLs ------------------------------------------------------------

    def _local(self) -> tuple[LocalBlobStore, UrlSigner]:
        if not isinstance(self._store, LocalBlobStore) or self._signer is None:
            raise FailedPrecondition("signed URLs of this kind are served by S3 here", reason="NOT_LOCAL_BACKEND")
        return self._store, self._signer

    async def put_content(self, upload_id: str, query: dict[str, str], chunks: Chunks) -> int:
        """The body of a signed PUT, streamed into the upload's bytes (the signature is the authorisation,
        checked before any byte is read; over the byte limit is refused while reading)."""
        store, signer = self._local()
        signer.verify("PUT", store.upload_path(upload_id), query)
        async with self._sessions() as session:
            row = await repo.upload_by_id(session, upload_id)
        if row is None or row.state != "pending":
            raise upload_not_found()
        return await store.receive_upload(upload_id, chunks, max_bytes=self._limits.max_bytes)

    async def blob_content(self, blob: str, query: dict[str, str]) -> tuple[str, str, AsyncIterator[bytes]]:
        """(content type, filename, bytes) behind a signed download URL."""
        store, signer = self._local()
        params = signer.verify("GET", store.blob_path(validate_key(blob)), query)
        try:
            chunks = await self._images.read_blob(blob)
        except NotFound:
            raise image_not_found() from None
        return params.get("content_type", "application/octet-stream"), params.get("filename", ""), chunks

    async def sweep(self, older_than_s: float) -> int:
        """Housekeeping: forget long-expired unconfirmed uploads and remove stale local files."""
        async with self._sessions.begin() as session:
            removed = await repo.delete_expired_uploads(session, utcnow() - timedelta(seconds=older_than_s))
        if isinstance(self._store, LocalBlobStore):
            removed += await self._store.sweep_stale_files(older_than_s)
        await self._images.writer.collect_all()
        return removed
