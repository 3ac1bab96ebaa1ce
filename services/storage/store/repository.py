"""SQL for the storage service. Every function takes the caller's session (one transaction per use case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from imagemesh_kit.db_types import utcnow
from services.storage.domain.images import StoredImage
from services.storage.store.models import BlobRow, ImageRow, ServiceSecretRow, ThumbnailRow, UploadRow


def to_image(row: ImageRow) -> StoredImage:
    return StoredImage(
        id=row.id,
        owner_id=row.owner_id,
        filename=row.filename,
        description=row.description,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        width=row.width,
        height=row.height,
        sha256=row.sha256,
        kind=row.kind,
        source_image_id=row.source_image_id,
        created_at=row.created_at,
    )


async def insert_ignore(session: AsyncSession, model, values: dict) -> None:
    """INSERT ... ON CONFLICT DO NOTHING (waits for a concurrent insert of the same key on PostgreSQL)."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    await session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


# -- blobs (reference counts) ---------------------------------------------------------------------


async def lock_blob(session: AsyncSession, sha256: str, size_bytes: int) -> int:
    """Make sure the blob's row exists and lock it for this transaction; its reference count.

    On SQLite the INSERT takes the database's write lock (held to COMMIT), which serialises the same way.
    On PostgreSQL a concurrent GC may delete the row between our INSERT (a no-op: the row existed) and our
    lock (which then finds nothing): insert again."""
    query = select(BlobRow.refcount).where(BlobRow.sha256 == sha256).with_for_update()
    for _ in range(100):
        values = {"sha256": sha256, "size_bytes": size_bytes, "refcount": 0, "created_at": utcnow()}
        await insert_ignore(session, BlobRow, values)
        refcount = (await session.execute(query)).scalar_one_or_none()
        if refcount is not None:
            return refcount
    raise RuntimeError(f"could not lock blob row {sha256}")


async def add_reference(session: AsyncSession, sha256: str, delta: int) -> None:
    await session.execute(update(BlobRow).where(BlobRow.sha256 == sha256).values(refcount=BlobRow.refcount + delta))


async def delete_blob_row(session: AsyncSession, sha256: str) -> None:
    await session.execute(delete(BlobRow).where(BlobRow.sha256 == sha256))


async def unreferenced_blobs(session: AsyncSession, limit: int = 100) -> list[str]:
    return list((await session.execute(select(BlobRow.sha256).where(BlobRow.refcount <= 0).limit(limit))).scalars())


# -- images -----------------------------------------------------------------------------------------


async def image_by_id(session: AsyncSession, image_id: str) -> ImageRow | None:
    return await session.get(ImageRow, image_id)


async def image_by_request(session: AsyncSession, owner_id: str, request_id: str) -> ImageRow | None:
    query = select(ImageRow).where(ImageRow.owner_id == owner_id, ImageRow.request_id == request_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_images(
    session: AsyncSession,
    *,
    owner_id: str | None,
    kind: str | None,
    source_image_id: str | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[ImageRow]:
    """Newest first; `owner_id` None lists everybody's."""
    query = select(ImageRow).order_by(ImageRow.created_at.desc(), ImageRow.id.desc()).limit(limit)
    if owner_id is not None:
        query = query.where(ImageRow.owner_id == owner_id)
    if kind:
        query = query.where(ImageRow.kind == kind)
    if source_image_id:
        query = query.where(ImageRow.source_image_id == source_image_id)
    if before is not None:
        created_at, image_id = before
        query = query.where(
            or_(ImageRow.created_at < created_at, and_(ImageRow.created_at == created_at, ImageRow.id < image_id))
        )
    return list((await session.execute(query)).scalars())


async def delete_image(session: AsyncSession, image_id: str) -> list[str]:
    """Delete the image and its cached thumbnails; the blobs they referenced (one entry per reference)."""
    thumbs = list(
        (await session.execute(select(ThumbnailRow.sha256).where(ThumbnailRow.image_id == image_id))).scalars()
    )
    await session.execute(delete(ThumbnailRow).where(ThumbnailRow.image_id == image_id))
    deleted = await session.execute(delete(ImageRow).where(ImageRow.id == image_id).returning(ImageRow.sha256))
    shas = list(deleted.scalars())
    if not shas:
        return []
    return [*shas, *thumbs]


# -- thumbnails -------------------------------------------------------------------------------------


async def thumbnail(session: AsyncSession, image_id: str, size: int) -> ThumbnailRow | None:
    return await session.get(ThumbnailRow, (image_id, size))


# -- uploads ----------------------------------------------------------------------------------------


async def upload_by_id(session: AsyncSession, upload_id: str) -> UploadRow | None:
    return await session.get(UploadRow, upload_id)


async def set_upload_state(
    session: AsyncSession, upload_id: str, state: str, *, expect: str | None = None, image_id: str | None = None
) -> bool:
    """Move the upload to `state` (only from `expect` when given); whether it moved. An atomic claim."""
    query = update(UploadRow).where(UploadRow.id == upload_id)
    if expect is not None:
        query = query.where(UploadRow.state == expect)
    values: dict = {"state": state}
    if image_id is not None:
        values["image_id"] = image_id
    result = await session.execute(query.values(**values))
    return result.rowcount == 1


async def delete_expired_uploads(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(
        delete(UploadRow).where(UploadRow.expires_at < before, UploadRow.state.in_(("pending", "failed")))
    )
    return result.rowcount


# -- secrets ----------------------------------------------------------------------------------------


async def get_or_create_secret(session: AsyncSession, name: str, candidate: str) -> str:
    """The stored secret `name`; `candidate` becomes it when none exists yet (first replica wins)."""
    await insert_ignore(session, ServiceSecretRow, {"name": name, "value": candidate})
    return (await session.execute(select(ServiceSecretRow.value).where(ServiceSecretRow.name == name))).scalar_one()
