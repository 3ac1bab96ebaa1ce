"""The storage service's image use cases: create, read, list, thumbnails, delete. No gRPC here.

The caller is the kit's Principal (a user, an admin, or a service acting for a user). Another user's
image answers NOT_FOUND everywhere; admins read everything.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from imagemesh_kit.context import Principal
from imagemesh_kit.errors import PermissionDenied
from imagemesh_kit.pagination import (
    clamp_page_size,
    decode_time_cursor,
    encode_time_cursor,
)
from services.storage.adapters.blobs.base import BlobStore, PresignedUrl
from services.storage.adapters.blobs.chunks import Chunks
from services.storage.domain.images import (
    NewImage,
    StoredImage,
    can_read,
    check_image_id,
    image_not_found,
    source_not_found,
)
from services.storage.domain.limits import ImageLimits
from services.storage.domain.thumbnails import DEFAULT_THUMBNAIL_SIZE, make_thumbnail, validate_thumbnail_size
from services.storage.store import repository as repo
from services.storage.writer import ImageWriter

READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Content:
    data: bytes
    content_type: str


class ImageUseCases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        store: BlobStore,
        limits: ImageLimits,
        *,
        download_url_ttl_s: int = 900,
    ) -> None:
        self._sessions = sessions
        self._store = store
        self._limits = limits
        self._download_ttl = download_url_ttl_s
        self.writer = ImageWriter(sessions, store, limits)

    @property
    def limits(self) -> ImageLimits:
        return self._limits

    @property
    def store(self) -> BlobStore:
        return self._store

    # -- create -----------------------------------------------------------------------------------

    async def existing(self, caller: Principal, new: NewImage) -> StoredImage | None:
        """The image an earlier call with the same request_id created, if any."""
        if new.request_id is None:
            return None
        async with self._sessions() as session:
            row = await repo.image_by_request(session, caller.subject, new.request_id)
        return repo.to_image(row) if row else None

    async def check_source(self, caller: Principal, new: NewImage) -> None:
        """A derived image's source must be one of the caller's own images."""
        if new.source_image_id is None:
            return
        async with self._sessions() as session:
            row = await repo.image_by_id(session, new.source_image_id)
        if row is None or row.owner_id != caller.subject:
            raise source_not_found()

    async def create(self, caller: Principal, new: NewImage, chunks: Chunks) -> StoredImage:
        """Store the bytes of `chunks` as a new image of the caller (idempotent with a request_id)."""
        if (first := await self.existing(caller, new)) is not None:
            return first
        await self.check_source(caller, new)
        staged = await self._store.stage_stream(chunks, max_bytes=self._limits.max_bytes)
        return await self.writer.save(caller.subject, new, staged)

    # -- read -------------------------------------------------------------------------------------

    async def get(self, caller: Principal, image_id: str) -> StoredImage:
        check_image_id(image_id)
        async with self._sessions() as session:
            row = await repo.image_by_id(session, image_id)
        if row is None or not can_read(row.owner_id, caller.subject, caller.is_admin):
            raise image_not_found()
        return repo.to_image(row)

    async def stream(self, caller: Principal, image_id: str) -> tuple[StoredImage, AsyncIterator[bytes]]:
        """The image and an iterator over its bytes."""
        image = await self.get(caller, image_id)
        return image, await self.read_blob(image.sha256)

    async def read_blob(self, sha256: str) -> AsyncIterator[bytes]:
        """An iterator over a blob's bytes; the first chunk is read before returning, so a missing blob
        fails here, before any response message is sent, and not mid-stream."""
        chunks = self._store.read_stream(sha256, READ_CHUNK)
        try:
            first = await anext(chunks, b"")
        except BaseException:
            await chunks.aclose()
            raise

        async def all_chunks() -> AsyncIterator[bytes]:
            async with contextlib.aclosing(chunks):
                if first:
                    yield first
                async for chunk in chunks:
                    yield chunk

        return all_chunks()

    async def download_url(self, caller: Principal, image_id: str, expires_in: int) -> PresignedUrl:
        image = await self.get(caller, image_id)
        return await self._store.presign_get(
            image.sha256,
            expires_in or self._download_ttl,
            content_type=image.content_type,
            filename=image.filename,
        )

    async def list(
        self,
        caller: Principal,
        *,
        page_size: int,
        page_token: str,
        owner_id: str = "",
        kind: str = "",
        source_image_id: str = "",
    ) -> tuple[list[StoredImage], str]:
        limit = clamp_page_size(page_size)
        if owner_id and owner_id != caller.subject and not caller.is_admin:
            raise PermissionDenied("only administrators may list other users' images", reason="ADMIN_REQUIRED")
        owner = None if owner_id == "-" else (owner_id or caller.subject)
        before = decode_time_cursor(page_token)
        async with self._sessions() as session:
            rows = await repo.list_images(
                session, owner_id=owner, kind=kind, source_image_id=source_image_id, before=before, limit=limit + 1
            )
        images = [repo.to_image(r) for r in rows[:limit]]
        next_token = ""
        if len(rows) > limit:
            last = images[-1]
            next_token = encode_time_cursor(last.created_at, last.id)
        return images, next_token

    # -- thumbnails -------------------------------------------------------------------------------

    async def thumbnail(self, caller: Principal, image_id: str, size: int) -> Content:
        size = validate_thumbnail_size(size or DEFAULT_THUMBNAIL_SIZE)
        image = await self.get(caller, image_id)
        async with self._sessions() as session:
            cached = await repo.thumbnail(session, image.id, size)
        if cached is not None:
            return Content(await self._store.read_bytes(cached.sha256), cached.content_type)
        data = await self._store.read_bytes(image.sha256)
        thumb = await asyncio.to_thread(make_thumbnail, data, size, self._limits)
        del data
        staged = await self._store.stage_stream([thumb.data])
        await self.writer.save_thumbnail(image.id, size, thumb.content_type, staged)
        return Content(thumb.data, thumb.content_type)

    # -- delete -----------------------------------------------------------------------------------

    async def delete(self, caller: Principal, image_id: str) -> None:
        """Drop the image's references in one transaction, then GC the blobs nothing references any more."""
        check_image_id(image_id)
        async with self._sessions.begin() as session:
            row = await repo.image_by_id(session, image_id)
            if row is None or not can_read(row.owner_id, caller.subject, caller.is_admin):
                raise image_not_found()
            shas = await repo.delete_image(session, image_id)
            for sha in shas:
                await repo.add_reference(session, sha, -1)
        for sha in dict.fromkeys(shas):
            await self.writer.collect(sha)
