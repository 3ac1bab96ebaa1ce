"""The quality service's tables: stored comparisons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Index, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from imagemesh_kit.db_types import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ComparisonRow(Base):
    """One comparison. `result` holds the reports, differences and enhancement steps (JSON, finite
    numbers only); psnr is a column of its own because it is infinite for identical images."""

    __tablename__ = "comparisons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    image1_id: Mapped[str] = mapped_column(String(64))
    image2_id: Mapped[str] = mapped_column(String(64))
    enhancement_level: Mapped[float] = mapped_column(Float)
    psnr: Mapped[float] = mapped_column(Float)
    ssim: Mapped[float] = mapped_column(Float)
    enhanced_image_id: Mapped[str] = mapped_column(String(64), default="")
    processing_time_ms: Mapped[float] = mapped_column(Float)
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("owner_id", "request_id", name="uq_comparisons_owner_id_request_id"),
        Index("ix_comparisons_owner_id_created_at_id", "owner_id", "created_at", "id"),
    )
