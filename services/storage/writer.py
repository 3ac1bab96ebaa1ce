"""Turning staged bytes into image records under the reference-counting protocol.

Rule (docs/storage/INTEGRATION.md): a blob becomes visible (`commit`) or goes away (`delete`) only while
its `blobs` row is locked, and the reference count is committed after the blob is visible. Every
function here runs one transaction; staged blobs are always discarded afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from imagemesh_kit.db_types import utcnow
from services.storage.adapters.blobs.base import BlobStore, StagedBlob
from services.storage.domain.filenames import sanitize_filename
from services.storage.domain.images import NewImage, StoredImage
from services.storage.domain.inspect import ImageInfo, inspect_file
from services.storage.domain.limits import ImageLimits
from services.storage.store import repository as repo
from services.storage.store.models import ImageRow, ThumbnailRow

log = logging.getLogger(__name__)

OnCommit = Callable[[AsyncSession, ImageRow], Awaitable[None]]


class ImageWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], store: BlobStore, limits: ImageLimits) -> None:
        self._sessions = sessions
        self._store = store
        self._limits = limits

    async def inspect(self, staged: StagedBlob) -> ImageInfo:
        async with self._store.open_staged(staged) as handle:
            return await asyncio.to_thread(inspect_file, handle, self._limits)

    async def save(
        self, owner_id: str, new: NewImage, staged: StagedBlob, *, on_commit: OnCommit | None = None
    ) -> StoredImage:
        """Validate the staged bytes and record them as `owner_id`'s image (discarding `staged` in any case).
        With a request_id already used by this owner, the first image is returned instead."""
        try:
            info = await self.inspect(staged)
            row = ImageRow(
                id=str(uuid.uuid4()),
                owner_id=owner_id,
                filename=sanitize_filename(new.filename, info.format),
                description=new.description,
                content_type=info.content_type,
                size_bytes=staged.size,
                width=info.width,
                height=info.height,
                sha256=staged.sha256,
                kind=new.kind,
                source_image_id=new.source_image_id,
                request_id=new.request_id,
                created_at=utcnow(),
            )
            try:
                async with self._sessions.begin() as session:
                    await self._attach(session, staged)
                    session.add(row)
                    await session.flush()
                    if on_commit is not None:
                        await on_commit(session, row)
            except IntegrityError:
                if new.request_id is None:
                    raise
                await self.collect(staged.sha256)  # the reference we were about to add is gone
                async with self._sessions() as session:
                    first = await repo.image_by_request(session, owner_id, new.request_id)
                if first is None:
                    raise
                return repo.to_image(first)
            return repo.to_image(row)
        finally:
            await self._store.discard(staged)

    async def save_thumbnail(self, image_id: str, size: int, content_type: str, staged: StagedBlob) -> None:
        """Cache a thumbnail as one more reference to its blob (a lost race or a deleted image: nothing kept)."""
        try:
            async with self._sessions.begin() as session:
                await self._attach(session, staged)
                session.add(ThumbnailRow(image_id=image_id, size=size, sha256=staged.sha256, content_type=content_type))
                await session.flush()
        except IntegrityError:
            await self.collect(staged.sha256)
        finally:
            await self._store.discard(staged)

    async def _attach(self, session: AsyncSession, staged: StagedBlob) -> None:
        await repo.lock_blob(session, staged.sha256, staged.size)
        await self._store.commit(staged)  # re-creates the bytes if a GC removed them before we locked
        await repo.add_reference(session, staged.sha256, 1)

    async def collect(self, sha256: str) -> bool:
        """GC one blob: delete its bytes and row if nothing references it. Whether it was deleted."""
        async with self._sessions.begin() as session:
            if await repo.lock_blob(session, sha256, 0) > 0:
                return False
            await self._store.delete(sha256)
            await repo.delete_blob_row(session, sha256)
        return True

    async def collect_all(self) -> int:
        """GC every unreferenced blob (left by a crash between the two transactions of a delete)."""
        async with self._sessions() as session:
            candidates = await repo.unreferenced_blobs(session)
        return sum([await self.collect(sha) for sha in candidates])
