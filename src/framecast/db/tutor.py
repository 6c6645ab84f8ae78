"""Tutor tables: learning sessions, their messages and corrections, progress, practice phrases.

The seed's model (User, Session, Conversation, Correction, Progress, PracticePhrase) with what the
original lacked: every message is stored (user and assistant), a user message carries the client's
id so a resent message is not processed twice, and an assistant message carries the state of its
avatar video so the render is a durable job that survives a closed socket or a restart.
Session, message and correction ids are UUID strings, as in the seed; users are the accounts table.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from framecast.db.base import Base, UTCDateTime, utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class TutorSession(Base):
    """A learning session (the seed's ``Session``)."""

    __tablename__ = "tutor_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    difficulty: Mapped[str] = mapped_column(String(16), default="beginner")  # beginner|intermediate|advanced
    topic: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a practice-phrase category
    language: Mapped[str] = mapped_column(String(8), default="en")  # explanation language: en | ko
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration: Mapped[int | None] = mapped_column(Integer, nullable=True)  # seconds, set at the end

    messages: Mapped[list[Conversation]] = relationship(
        back_populates="session", order_by="Conversation.seq", cascade="all, delete-orphan"
    )
    corrections: Mapped[list[Correction]] = relationship(
        back_populates="session", order_by="Correction.created_at", cascade="all, delete-orphan"
    )


class Conversation(Base):
    """One chat message, user or assistant (the seed's ``Conversation``)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("tutor_sessions.id", ondelete="CASCADE"), index=True)
    # Position in the session (1, 2, ...): the order of the history, independent of clock resolution.
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    # user: "text" | "audio"; assistant: "reply" | "opening".
    kind: Mapped[str] = mapped_column(String(16), default="text")
    # The id the client gave the message (resends with the same id are answered, not re-processed).
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The assistant message this user message was answered by, once answered.
    reply_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Files under the data dir (relative paths) and the URLs the API serves them at.
    audio_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    audio_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    video_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Avatar video of an assistant message: None (no video wanted) | pending | rendering | ready | failed.
    video_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    video_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    video_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    video_attempts: Mapped[int] = mapped_column(Integer, default=0)
    video_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A remote render's id (e.g. a D-ID talk), written before polling so a restart polls, not re-creates.
    video_remote_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # User audio turns: words as heard with a 0..1 score each: [{"word", "score", "heard"}].
    word_scores: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # Analysis of a user message: better_expression and feedback as sent in the correction message.
    better_expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TutorSession] = relationship(back_populates="messages")
    corrections: Mapped[list[Correction]] = relationship(
        back_populates="conversation", order_by="Correction.created_at", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("session_id", "seq", name="uq_conversations_session_seq"),
        UniqueConstraint("session_id", "client_id", name="uq_conversations_session_client"),
        Index("ix_conversations_video_state", "video_state"),
    )


class Correction(Base):
    """One correction of a user message (the seed's ``Correction``)."""

    __tablename__ = "corrections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("tutor_sessions.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    correction_type: Mapped[str] = mapped_column(String(16))  # grammar | vocabulary | pronunciation
    original_text: Mapped[str] = mapped_column(Text)
    corrected_text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    severity: Mapped[str] = mapped_column(String(8), default="medium")  # low | medium | high
    # Order within its message (created_at alone can tie).
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TutorSession] = relationship(back_populates="corrections")
    conversation: Mapped[Conversation] = relationship(back_populates="corrections")


class Progress(Base):
    """A learner's aggregated progress, one row per user; scores 0..100 (see ``tutor/progress.py``)."""

    __tablename__ = "progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    total_sessions: Mapped[int] = mapped_column(Integer, default=0)
    total_duration: Mapped[int] = mapped_column(Integer, default=0)  # seconds
    total_corrections: Mapped[int] = mapped_column(Integer, default=0)
    grammar_score: Mapped[float] = mapped_column(Float, default=0.0)
    pronunciation_score: Mapped[float] = mapped_column(Float, default=0.0)
    vocabulary_score: Mapped[float] = mapped_column(Float, default=0.0)
    # Whether any speech has been scored yet (pronunciation_score means nothing before that).
    pronunciation_measured: Mapped[bool] = mapped_column(default=False)
    last_session_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SessionScore(Base):
    """The scores one ended session earned: the points of the progress chart."""

    __tablename__ = "session_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("tutor_sessions.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    grammar_score: Mapped[float] = mapped_column(Float)
    vocabulary_score: Mapped[float] = mapped_column(Float)
    pronunciation_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    words: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PracticePhrase(Base):
    """A phrase to repeat, by category and difficulty, with its Korean translation."""

    __tablename__ = "practice_phrases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # greeting | daily_life | work | travel | shopping | health | opinions | small_talk
    category: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[str] = mapped_column(String(16))  # beginner | intermediate | advanced
    english_text: Mapped[str] = mapped_column(Text)
    korean_text: Mapped[str] = mapped_column(Text)
    example_audio: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_practice_phrases_category_difficulty", "category", "difficulty"),
        UniqueConstraint("english_text", name="uq_practice_phrases_english_text"),
    )


class PracticeAttempt(Base):
    """A learner's spoken attempt at a practice phrase, with its per-word scores."""

    __tablename__ = "practice_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    phrase_id: Mapped[int] = mapped_column(ForeignKey("practice_phrases.id", ondelete="CASCADE"), index=True)
    transcript: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)  # 0..100
    word_scores: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AvatarSession(Base):
    """A real-time avatar conversation (Tavus) a learner opened; ended when they leave."""

    __tablename__ = "avatar_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16), default="tavus")
    conversation_id: Mapped[str] = mapped_column(String(200), unique=True)
    room_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
