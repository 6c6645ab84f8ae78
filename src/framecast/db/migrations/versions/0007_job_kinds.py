"""job kinds: every job names the kind of work it is; existing rows are Studio generations, and
avatar videos still to come (the Tutor's own queue on ``conversations``) become avatar-render jobs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import framecast.db.base

revision = "0007"
down_revision = "0006"
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
    _queue_unfinished_avatar_videos()


def _queue_unfinished_avatar_videos() -> None:
    """A message waiting for its video (``pending``, or ``rendering`` when a server stopped) gets
    a job of the avatar-render kind; a remote render already started keeps its id, so it is
    awaited, never bought again."""
    utc = framecast.db.base.UTCDateTime(timezone=True)
    conversations = sa.table(
        "conversations",
        sa.column("id", sa.String),
        sa.column("session_id", sa.String),
        sa.column("video_state", sa.String),
        sa.column("video_attempts", sa.Integer),
        sa.column("video_remote_id", sa.String),
    )
    jobs = sa.table(
        "jobs",
        sa.column("kind", sa.String),
        sa.column("provider", sa.String),
        sa.column("mode", sa.String),
        sa.column("request", sa.JSON),
        sa.column("state", sa.String),
        sa.column("priority", sa.Integer),
        sa.column("attempts", sa.Integer),
        sa.column("max_attempts", sa.Integer),
        sa.column("not_before", utc),
        sa.column("provider_ids", sa.JSON),
        sa.column("outputs", sa.JSON),
        sa.column("cancel_requested", sa.Boolean),
        sa.column("created_at", utc),
        sa.column("updated_at", utc),
    )
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(
            conversations.c.id,
            conversations.c.session_id,
            conversations.c.video_attempts,
            conversations.c.video_remote_id,
        ).where(conversations.c.video_state.in_(("pending", "rendering")))
    ).all()
    now = framecast.db.base.utcnow()
    for message_id, session_id, attempts, remote_id in waiting:
        bind.execute(
            jobs.insert().values(
                kind="tutor.avatar_render",
                provider="avatar",
                mode="avatar",
                request={"session_id": session_id, "message_id": message_id},
                state="queued",
                priority=0,
                attempts=0,
                # The old queue's default of three tries, less those already spent.
                max_attempts=max(1, 3 - int(attempts or 0)),
                not_before=now,
                provider_ids=[remote_id] if remote_id else [],
                outputs=[],
                cancel_requested=False,
                created_at=now,
                updated_at=now,
            )
        )
    op.execute(
        conversations.update().where(conversations.c.video_state == "rendering").values(video_state="pending")
    )


def downgrade() -> None:
    # The old queue reads the messages' video_state, which the avatar jobs kept up to date.
    op.execute(sa.text("DELETE FROM jobs WHERE kind <> 'studio.generation'"))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_kind_claim")
        batch_op.drop_column("kind")
