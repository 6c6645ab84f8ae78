"""worker heartbeats, for /api/health

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import framecast.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_beats",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capabilities", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_beats")),
    )
    with op.batch_alter_table("worker_beats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_beats_beat_at"), ["beat_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worker_beats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_beats_beat_at"))
    op.drop_table("worker_beats")
