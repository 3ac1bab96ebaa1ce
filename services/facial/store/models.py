"""The facial service's tables: the kit's jobs, each job's inline input and result, the perceptual cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from imagemesh_kit.db_types import NAMING_CONVENTION, UTCDateTime
from imagemesh_kit.jobs.table import jobs_table

BAND_COUNT = 8


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


jobs = jobs_table(Base.metadata)


class JobInputRow(Base):
    """A job's inline bytes (image, segmentation map; not in the params JSON); deleted with the job."""

    __tablename__ = "facial_job_inputs"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # None: the job reads image_id
    segmentation_map: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class JobResultRow(Base):
    """The outcome of a succeeded job (the job's own result JSON only points here)."""

    __tablename__ = "facial_job_results"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)  # space, size, alignment, from_cache, source, face_count
    svg: Mapped[str | None] = mapped_column(Text, nullable=True)
    polygons_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    masks: Mapped[dict] = mapped_column(JSON)  # region -> base64 PNG
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CacheRow(Base):
    """Perceptual cache entry: parameter hash + 64-bit pHash (stored signed) split into 8 indexed bands."""

    __tablename__ = "facial_cache"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    params_hash: Mapped[str] = mapped_column(String(64))
    phash: Mapped[int] = mapped_column(BigInteger)
    band0: Mapped[int] = mapped_column(SmallInteger)
    band1: Mapped[int] = mapped_column(SmallInteger)
    band2: Mapped[int] = mapped_column(SmallInteger)
    band3: Mapped[int] = mapped_column(SmallInteger)
    band4: Mapped[int] = mapped_column(SmallInteger)
    band5: Mapped[int] = mapped_column(SmallInteger)
    band6: Mapped[int] = mapped_column(SmallInteger)
    band7: Mapped[int] = mapped_column(SmallInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    geometry: Mapped[str] = mapped_column(Text)  # render_json document (reads back with geometry_from_dict)
    svg: Mapped[str | None] = mapped_column(Text, nullable=True)
    polygons_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    masks: Mapped[dict] = mapped_column(JSON)
    hit_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_hit_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("params_hash", "phash"),
        *(Index(f"ix_facial_cache_band{i}", "params_hash", f"band{i}") for i in range(BAND_COUNT)),
        Index("ix_facial_cache_last_hit_at", "last_hit_at"),
    )
