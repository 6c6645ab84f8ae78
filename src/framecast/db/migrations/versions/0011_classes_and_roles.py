"""classes with a teacher and learners, class invitations, and a role on users (all learners)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:25:45.897203
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import framecast.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=False),
        sa.Column("created_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_classes_teacher_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes")),
        sa.UniqueConstraint("join_code", name=op.f("uq_classes_join_code")),
    )
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classes_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "class_invites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_class_invites_class_id_classes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_invites")),
        sa.UniqueConstraint("class_id", "email", name="uq_class_invites_class_email"),
    )
    with op.batch_alter_table("class_invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_invites_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_invites_email"), ["email"], unique=False)

    op.create_table(
        "class_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", framecast.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_class_members_class_id_classes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_class_members_learner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_members")),
        sa.UniqueConstraint("class_id", "learner_id", name="uq_class_members_class_learner"),
    )
    with op.batch_alter_table("class_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_members_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_members_learner_id"), ["learner_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        # Every existing account becomes a learner; administrators stay administrators.
        batch_op.add_column(sa.Column("role", sa.String(length=16), server_default="learner", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("role")

    with op.batch_alter_table("class_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_members_learner_id"))
        batch_op.drop_index(batch_op.f("ix_class_members_class_id"))

    op.drop_table("class_members")
    with op.batch_alter_table("class_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_invites_email"))
        batch_op.drop_index(batch_op.f("ix_class_invites_class_id"))

    op.drop_table("class_invites")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classes_teacher_id"))

    op.drop_table("classes")
