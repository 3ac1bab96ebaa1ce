"""The jobs table. Each service declares its own (in its own metadata/database) with `jobs_table`,
and creates it in its first migration with `create_jobs_table(op)`."""

from __future__ import annotations

import sqlalchemy as sa

from imagemesh_kit.db_types import UTCDateTime


def _columns() -> list:
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.String(200), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("error_reason", sa.String(64), nullable=True),
        sa.Column("error_message", sa.String(500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("run_after", UTCDateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
    ]


def _constraints(name: str) -> list:
    return [
        sa.UniqueConstraint("owner_id", "idempotency_key", name=f"uq_{name}_owner_idempotency"),
        sa.Index(f"ix_{name}_claim", "state", "run_after"),
        sa.Index(f"ix_{name}_owner_created", "owner_id", "created_at", "id"),
    ]


def jobs_table(metadata: sa.MetaData, name: str = "jobs") -> sa.Table:
    return sa.Table(name, metadata, *_columns(), *_constraints(name))


def create_jobs_table(op, name: str = "jobs") -> None:
    """For a service's Alembic migration: `create_jobs_table(op)`."""
    op.create_table(name, *_columns(), *[c for c in _constraints(name) if isinstance(c, sa.UniqueConstraint)])
    op.create_index(f"ix_{name}_claim", name, ["state", "run_after"])
    op.create_index(f"ix_{name}_owner_created", name, ["owner_id", "created_at", "id"])
