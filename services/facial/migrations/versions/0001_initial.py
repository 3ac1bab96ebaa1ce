"""jobs, job inputs and results, perceptual cache

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from imagemesh_kit.db_types import UTCDateTime
from imagemesh_kit.jobs.table import create_jobs_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BANDS = 8


def upgrade() -> None:
    create_jobs_table(op)
    op.create_table(
        "facial_job_inputs",
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("segmentation_map", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_facial_job_inputs_job_id_jobs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", name="pk_facial_job_inputs"),
    )
    op.create_table(
        "facial_job_results",
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("svg", sa.Text(), nullable=True),
        sa.Column("polygons_json", sa.Text(), nullable=True),
        sa.Column("masks", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_facial_job_results_job_id_jobs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", name="pk_facial_job_results"),
    )
    op.create_table(
        "facial_cache",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("params_hash", sa.String(64), nullable=False),
        sa.Column("phash", sa.BigInteger(), nullable=False),
        *(sa.Column(f"band{i}", sa.SmallInteger(), nullable=False) for i in range(BANDS)),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("svg", sa.Text(), nullable=True),
        sa.Column("polygons_json", sa.Text(), nullable=True),
        sa.Column("masks", sa.JSON(), nullable=False),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_hit_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_facial_cache"),
        sa.UniqueConstraint("params_hash", "phash", name="uq_facial_cache_params_hash_phash"),
    )
    for i in range(BANDS):
        op.create_index(f"ix_facial_cache_band{i}", "facial_cache", ["params_hash", f"band{i}"])
    op.create_index("ix_facial_cache_last_hit_at", "facial_cache", ["last_hit_at"])


def downgrade() -> None:
    op.drop_table("facial_cache")
    op.drop_table("facial_job_results")
    op.drop_table("facial_job_inputs")
    op.drop_table("jobs")
