"""Class tables: a teacher's classes, the learners in them, and the teacher's pending invitations.

A class belongs to one teacher and holds learners; a learner joins with the class's code or by
accepting an invitation the teacher made for their email address. Who may see whom follows from
these rows only (``tutor/class_access.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from framecast.db import accounts  # noqa: F401  (the users table these refer to)
from framecast.db.base import Base, UTCDateTime, utcnow


class TutorClass(Base):
    """A teacher's class; learners join it with ``join_code`` (``tutor/class_codes.py``)."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassMember(Base):
    """A learner in a class: their teacher sees their progress while this row exists."""

    __tablename__ = "class_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("class_id", "learner_id", name="uq_class_members_class_learner"),)


class ClassInvite(Base):
    """A teacher's invitation of an email address into a class, until its learner accepts or
    declines it. Nothing is shown to the teacher about whether the address has an account."""

    __tablename__ = "class_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    # Lower-cased, like ``users.email``.
    email: Mapped[str] = mapped_column(String(320), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("class_id", "email", name="uq_class_invites_class_email"),)
