"""every process's counter and histogram totals, summed by any server's /metrics; request windows
shared by every worker (GenAIPro v2's 30 a minute per account)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:05:12.418305
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import framecast.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_totals",
        sa.Column("process", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=100), nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("labels", sa.String(length=500), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("process", "metric", "part", "labels", name=op.f("pk_metric_totals")),
    )
    with op.batch_alter_table("metric_totals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_totals_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "request_windows",
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_request_windows")),
    )
    op.create_table(
        "request_window_places",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("expires_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_window_places")),
    )
    with op.batch_alter_table("request_window_places", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_window_places_account_expires", ["account", "expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_window_places", schema=None) as batch_op:
        batch_op.drop_index("ix_request_window_places_account_expires")

    op.drop_table("request_window_places")
    op.drop_table("request_windows")
    with op.batch_alter_table("metric_totals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_totals_updated_at"))

    op.drop_table("metric_totals")
