"""Repository functions over an AsyncSession: comparisons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.quality.records import (
    StoredComparison,
    differences_from_json,
    report_from_json,
    steps_from_json,
)
from services.quality.store.models import ComparisonRow


def to_comparison(row: ComparisonRow) -> StoredComparison:
    r = row.result
    return StoredComparison(
        id=row.id,
        owner_id=row.owner_id,
        image1_id=row.image1_id,
        image2_id=row.image2_id,
        enhancement_level=row.enhancement_level,
        report1=report_from_json(r["report1"]),
        report2=report_from_json(r["report2"]),
        psnr=row.psnr,
        ssim=row.ssim,
        resized=bool(r["resized"]),
        size_note=r["size_note"],
        differences=differences_from_json(r["differences"]),
        enhancements_applied=steps_from_json(r["steps"]),
        enhancement_notes=tuple(r["notes"]),
        enhanced_image_id=row.enhanced_image_id,
        processing_time_ms=row.processing_time_ms,
        created_at=row.created_at,
    )


async def comparison_by_id(session: AsyncSession, comparison_id: str) -> ComparisonRow | None:
    return await session.get(ComparisonRow, comparison_id)


async def comparison_by_request(session: AsyncSession, owner_id: str, request_id: str) -> ComparisonRow | None:
    query = select(ComparisonRow).where(ComparisonRow.owner_id == owner_id, ComparisonRow.request_id == request_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_comparisons(
    session: AsyncSession, owner_id: str, before: tuple[datetime, str] | None, limit: int
) -> list[ComparisonRow]:
    """The owner's comparisons, newest first, strictly after the cursor `before` (created_at, id)."""
    query = (
        select(ComparisonRow)
        .where(ComparisonRow.owner_id == owner_id)
        .order_by(ComparisonRow.created_at.desc(), ComparisonRow.id.desc())
        .limit(limit)
    )
    if before is not None:
        created_at, comparison_id = before
        query = query.where(
            or_(
                ComparisonRow.created_at < created_at,
                and_(ComparisonRow.created_at == created_at, ComparisonRow.id < comparison_id),
            )
        )
    return list((await session.execute(query)).scalars())
