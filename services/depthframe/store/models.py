"""The depthframe service's tables: datasets, their depth rows, users' custom colormaps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Double, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from imagemesh_kit.db_types import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DatasetRow(Base):
    __tablename__ = "depth_datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    skipped_rows: Mapped[str] = mapped_column(Text)  # JSON [[line, reason], ...] (first 1,000)
    skipped_count: Mapped[int] = mapped_column(Integer)
    depth_min: Mapped[float] = mapped_column(Double)
    depth_max: Mapped[float] = mapped_column(Double)
    source_width: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    color_min: Mapped[int] = mapped_column(Integer)
    color_max: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_depth_datasets_owner_id_created_at_id", "owner_id", "created_at", "id"),)


class DepthRow(Base):
    """One depth row of a dataset; the primary key (dataset_id, depth_key) is the range index."""

    __tablename__ = "depth_rows"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("depth_datasets.id", ondelete="CASCADE"), primary_key=True)
    depth_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # round(depth * 1e4)
    depth: Mapped[float] = mapped_column(Double)
    resized: Mapped[bytes] = mapped_column(LargeBinary)  # width bytes, uint8
    original: Mapped[bytes] = mapped_column(LargeBinary)  # source_width bytes, uint8


class ColormapRow(Base):
    __tablename__ = "colormaps"

    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    stops: Mapped[str] = mapped_column(Text)  # JSON [[position, "#rrggbb"], ...]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
