"""sketch jobs

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from alembic import op

from imagemesh_kit.jobs.table import create_jobs_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_jobs_table(op)


def downgrade() -> None:
    op.drop_table("jobs")
