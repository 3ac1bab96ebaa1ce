"""depth datasets, depth rows, custom colormaps

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
        "depth_datasets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("skipped_rows", sa.Text(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("depth_min", sa.Double(), nullable=False),
        sa.Column("depth_max", sa.Double(), nullable=False),
        sa.Column("source_width", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("color_min", sa.Integer(), nullable=False),
        sa.Column("color_max", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_depth_datasets"),
    )
    op.create_index("ix_depth_datasets_owner_id_created_at_id", "depth_datasets", ["owner_id", "created_at", "id"])
    op.create_table(
        "depth_rows",
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("depth_key", sa.BigInteger(), nullable=False),
        sa.Column("depth", sa.Double(), nullable=False),
        sa.Column("resized", sa.LargeBinary(), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", "depth_key", name="pk_depth_rows"),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["depth_datasets.id"], name="fk_depth_rows_dataset_id_depth_datasets", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "colormaps",
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("stops", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "name", name="pk_colormaps"),
    )


def downgrade() -> None:
    op.drop_table("colormaps")
    op.drop_table("depth_rows")
    op.drop_table("depth_datasets")
