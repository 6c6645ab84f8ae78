"""limits shared by every worker, news across processes (NOTIFY triggers on PostgreSQL)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import framecast.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Every change of a job that a page can see (not a lease renewal) tells the owner's listeners; a job
# that becomes queued wakes the workers of its kind. Channels carry the schema (db/news.py).
JOB_NEWS = """
CREATE OR REPLACE FUNCTION framecast_job_news() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR (to_jsonb(NEW) - 'lease_expires_at' - 'updated_at')
        IS DISTINCT FROM (to_jsonb(OLD) - 'lease_expires_at' - 'updated_at') THEN
    PERFORM pg_notify(left('fc_jobs_' || current_schema(), 63),
                      json_build_object('owner', NEW.owner_id)::text);
  END IF;
  IF NEW.state = 'queued' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'queued') THEN
    PERFORM pg_notify(left('fc_queued_' || current_schema(), 63),
                      json_build_object('kind', NEW.kind)::text);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "limit_slots",
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", framecast.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account", "slot", name=op.f("pk_limit_slots")),
    )
    op.create_table(
        "limit_rates",
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("ceiling", sa.Float(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paused_until", framecast.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consecutive_429", sa.Integer(), nullable=False),
        sa.Column("rate_limited", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_limit_rates")),
    )
    op.create_table(
        "news",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news")),
    )
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_created_at"), ["created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(JOB_NEWS)
        op.execute(
            "CREATE TRIGGER jobs_news AFTER INSERT OR UPDATE ON jobs "
            "FOR EACH ROW EXECUTE FUNCTION framecast_job_news()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS jobs_news ON jobs")
        op.execute("DROP FUNCTION IF EXISTS framecast_job_news()")
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_created_at"))
    op.drop_table("news")
    op.drop_table("limit_rates")
    op.drop_table("limit_slots")
