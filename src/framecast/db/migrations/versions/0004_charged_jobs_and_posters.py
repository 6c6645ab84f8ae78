"""charged jobs and poster frames

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 11:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charged", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("charges", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("poster_path", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_column("poster_path")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("charges")
        batch_op.drop_column("charged")
