"""sign-up tries per client address, for the sign-up rate limit

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import framecast.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signup_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_attempts")),
    )
    with op.batch_alter_table("signup_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signup_attempts_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signup_attempts_client"), ["client"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signup_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signup_attempts_client"))
        batch_op.drop_index(batch_op.f("ix_signup_attempts_at"))

    op.drop_table("signup_attempts")
