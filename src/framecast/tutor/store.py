"""What the conversation engine reads and writes: messages, their corrections, the history.

Blocking functions over ``Database`` (the engine calls them in a worker thread). Every user message
is stored before anything is done with it, and a message's ``seq`` is its position in the session,
taken as ``max + 1`` under the unique index ``(session_id, seq)`` with a retry, so two writers (two
tabs, two processes) can never interleave into the same slot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.db.tutor import Conversation, Correction, TutorSession, new_id
from framecast.providers.base import ChatMessage
from framecast.tutor.brain import Analysis, Lesson
from framecast.tutor.corrections import Correction as CorrectionValue

_SEQ_RETRIES = 5


@dataclass(frozen=True)
class StoredMessage:
    id: str
    seq: int
    role: str
    content: str
    kind: str
    client_id: str | None
    reply_id: str | None
    audio_path: str | None
    audio_url: str | None
    video_url: str | None
    video_state: str | None
    better_expression: str | None
    feedback: str | None
    word_scores: list[dict[str, Any]] | None
    corrections: tuple[CorrectionValue, ...] = ()

    @classmethod
    def of(cls, row: Conversation, corrections: list[Correction] | None = None) -> StoredMessage:
        values = tuple(
            CorrectionValue(
                type=c.correction_type,  # type: ignore[arg-type]
                original=c.original_text,
                corrected=c.corrected_text,
                explanation=c.explanation or "",
                severity=c.severity,  # type: ignore[arg-type]
            )
            for c in sorted(corrections or [], key=lambda c: c.position)
        )
        return cls(
            id=row.id,
            seq=row.seq,
            role=row.role,
            content=row.content,
            kind=row.kind,
            client_id=row.client_id,
            reply_id=row.reply_id,
            audio_path=row.audio_path,
            audio_url=row.audio_url,
            video_url=row.video_url,
            video_state=row.video_state,
            better_expression=row.better_expression,
            feedback=row.feedback,
            word_scores=row.word_scores,
            corrections=values,
        )

    def analysis(self) -> Analysis:
        return Analysis(
            has_errors=bool(self.corrections),
            corrections=self.corrections,
            better_expression=self.better_expression,
            feedback=self.feedback or "",
        )


# Avatar videos still to come: waiting for the queue, or being rendered.
UNFINISHED_VIDEO_STATES = ("pending", "rendering")


def session_ended(session_id: str) -> InvalidInputError:
    """The refusal of a turn in a session that has ended."""
    return InvalidInputError(f"session {session_id} has ended; start a new session to keep talking")


def open_session_owner(db: Database, session_id: str) -> int:
    """The id of the learner whose session this is, checked on every turn.

    Raises ``NotFoundError`` when the session does not exist and ``InvalidInputError`` (naming the
    session) when it has ended.
    """
    with db.session() as session:
        row = session.get(TutorSession, session_id)
        if row is None:
            raise NotFoundError(f"no tutor session {session_id}")
        if row.ended_at is not None:
            raise session_ended(session_id)
        return row.user_id


def unfinished_videos(db: Database, session_id: str) -> int:
    """Avatar videos of the owner of ``session_id`` (in any of their sessions) not yet made."""
    owner = select(TutorSession.user_id).where(TutorSession.id == session_id).scalar_subquery()
    with db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .join(TutorSession, TutorSession.id == Conversation.session_id)
            .where(TutorSession.user_id == owner, Conversation.video_state.in_(UNFINISHED_VIDEO_STATES))
        )
        return int(count or 0)


def lesson_for(db: Database, session_id: str, user_id: int) -> tuple[Lesson, bool]:
    """The lesson of a session the user owns, and whether it has ended.

    Raises ``NotFoundError`` when the session does not exist or belongs to someone else.
    """
    with db.session() as session:
        row = session.get(TutorSession, session_id)
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"no tutor session {session_id} (it does not exist or is not yours)")
        user = session.get(User, user_id)
        lesson = Lesson(
            session_id=row.id,
            difficulty=row.difficulty,  # type: ignore[arg-type]
            topic=row.topic,
            language=row.language,  # type: ignore[arg-type]
            learner_name=user.name if user is not None else "",
        )
        return lesson, row.ended_at is not None


def has_messages(db: Database, session_id: str) -> bool:
    with db.session() as session:
        count = session.scalar(select(func.count()).where(Conversation.session_id == session_id))
        return bool(count)


def find_by_client_id(db: Database, session_id: str, client_id: str) -> StoredMessage | None:
    with db.session() as session:
        row = session.scalar(
            select(Conversation).where(
                Conversation.session_id == session_id, Conversation.client_id == client_id
            )
        )
        return StoredMessage.of(row, list(row.corrections)) if row is not None else None


def get_message(db: Database, message_id: str) -> StoredMessage | None:
    with db.session() as session:
        row = session.get(Conversation, message_id)
        return StoredMessage.of(row, list(row.corrections)) if row is not None else None


def _append(session: Session, session_id: str, **fields: Any) -> Conversation:
    last = session.scalar(select(func.max(Conversation.seq)).where(Conversation.session_id == session_id))
    row = Conversation(session_id=session_id, seq=(last or 0) + 1, **fields)
    session.add(row)
    session.flush()
    return row


class AlreadyStoredError(Exception):
    """The session already holds a message with this ``client_id`` (a resend); it is ``existing``."""

    def __init__(self, existing: StoredMessage) -> None:
        super().__init__(f"message {existing.id} was stored before")
        self.existing = existing


def append_message(db: Database, session_id: str, **fields: Any) -> StoredMessage:
    """Store a message at the end of a session that is still open.

    The session row is read ``FOR UPDATE`` in the same transaction (SQLite's ``BEGIN IMMEDIATE``
    does the same), so a message and the end of its session cannot pass each other. Raises
    :class:`AlreadyStoredError` when its ``client_id`` is already in the session,
    ``InvalidInputError`` when the session has ended and ``NotFoundError`` when it does not exist.
    """
    for attempt in range(_SEQ_RETRIES):
        try:
            with db.session() as session:
                row = session.get(TutorSession, session_id, with_for_update=True)
                if row is None:
                    raise NotFoundError(f"no tutor session {session_id}")
                if row.ended_at is not None:
                    raise session_ended(session_id)
                return StoredMessage.of(_append(session, session_id, **fields))
        except IntegrityError:
            client_id = fields.get("client_id")
            existing = find_by_client_id(db, session_id, client_id) if client_id else None
            if existing is not None:
                raise AlreadyStoredError(existing) from None
            if attempt == _SEQ_RETRIES - 1:  # not a resend: two writers kept taking the same seq
                raise
    raise AssertionError("unreachable")


def save_analysis(
    db: Database,
    message_id: str,
    analysis: Analysis,
    *,
    word_scores: list[dict[str, Any]] | None = None,
) -> None:
    """Store the corrections of a user message (replacing any from an interrupted earlier try)."""
    with db.session() as session:
        row = session.get(Conversation, message_id)
        if row is None:
            raise NotFoundError(f"message {message_id} is gone")
        for old in list(row.corrections):
            session.delete(old)
        session.flush()
        row.better_expression = analysis.better_expression
        row.feedback = analysis.feedback
        if word_scores is not None:
            row.word_scores = word_scores
        for position, correction in enumerate(analysis.corrections):
            session.add(
                Correction(
                    session_id=row.session_id,
                    conversation_id=row.id,
                    correction_type=correction.type,
                    original_text=correction.original,
                    corrected_text=correction.corrected,
                    explanation=correction.explanation,
                    severity=correction.severity,
                    position=position,
                )
            )


def save_reply(
    db: Database,
    session_id: str,
    user_message_id: str | None,
    text: str,
    *,
    kind: str,
    want_video: bool,
    message_id: str | None = None,
    audio_path: str | None = None,
    audio_url: str | None = None,
    queue_video: Callable[[Session, str, str], object] | None = None,
) -> StoredMessage:
    """Store the assistant's reply (with its speech, when there is some) and link the user message
    to it, in one transaction; with ``want_video``, ``queue_video(session, session_id, message_id)``
    queues its avatar render in that same transaction."""
    for attempt in range(_SEQ_RETRIES):
        try:
            with db.session() as session:
                row = _append(
                    session,
                    session_id,
                    id=message_id or new_id(),
                    role="assistant",
                    content=text,
                    kind=kind,
                    audio_path=audio_path,
                    audio_url=audio_url,
                    video_state="pending" if want_video else None,
                )
                if want_video and queue_video is not None:
                    queue_video(session, session_id, row.id)
                if user_message_id is not None:
                    user_row = session.get(Conversation, user_message_id)
                    if user_row is not None:
                        user_row.reply_id = row.id
                return StoredMessage.of(row)
        except IntegrityError:
            if attempt == _SEQ_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def history(db: Database, session_id: str) -> list[ChatMessage]:
    """The session's messages, oldest first, as chat messages (each exactly once)."""
    with db.session() as session:
        rows = session.execute(
            select(Conversation.role, Conversation.content)
            .where(Conversation.session_id == session_id)
            .order_by(Conversation.seq)
        ).all()
        return [
            ChatMessage(role="assistant" if role == "assistant" else "user", content=content)
            for role, content in rows
        ]


def message_owner(db: Database, message_id: str) -> tuple[Conversation, int] | None:
    """A message (detached) and the id of the user whose session holds it."""
    with db.session() as session:
        found = session.execute(
            select(Conversation, TutorSession.user_id)
            .join(TutorSession, TutorSession.id == Conversation.session_id)
            .where(Conversation.id == message_id)
        ).first()
        if found is None:
            return None
        row, owner = found
        session.expunge(row)
        return row, owner
