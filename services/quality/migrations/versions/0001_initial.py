"""comparisons

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from imagemesh_kit.db_types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comparisons",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("image1_id", sa.String(64), nullable=False),
        sa.Column("image2_id", sa.String(64), nullable=False),
        sa.Column("enhancement_level", sa.Float(), nullable=False),
        sa.Column("psnr", sa.Float(), nullable=False),
        sa.Column("ssim", sa.Float(), nullable=False),
        sa.Column("enhanced_image_id", sa.String(64), nullable=False),
        sa.Column("processing_time_ms", sa.Float(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comparisons"),
        sa.UniqueConstraint("owner_id", "request_id", name="uq_comparisons_owner_id_request_id"),
    )
    op.create_index("ix_comparisons_owner_id_created_at_id", "comparisons", ["owner_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("comparisons")
