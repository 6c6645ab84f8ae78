"""job kinds: every job names the kind of work it is; existing rows are Studio generations

Revision ID: 0006k
Revises: 0005
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006k"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        # The server default makes every existing row (and any old code still inserting) a Studio
        # generation, which is what every job was before kinds existed.
        batch_op.add_column(
            sa.Column("kind", sa.String(length=64), server_default="studio.generation", nullable=False)
        )
        batch_op.create_index("ix_jobs_kind_claim", ["state", "kind", "not_before"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_kind_claim")
        batch_op.drop_column("kind")
