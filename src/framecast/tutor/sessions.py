"""Tutor sessions in the database: start, read, end (scoring it), and a learner's progress.

Used by the REST routes, the WebSocket engine and the CLI. Every function is synchronous (call it
through ``anyio.to_thread.run_sync`` from async code) and opens its own transaction. Rows never leave
this module: callers get the frozen records of ``tutor/records.py`` (``SessionInfo``, ``MessageInfo``,
...) that stay valid after the transaction, with ``to_json()`` for the API.

Ownership is checked here, not in the routes: a session id that is missing or belongs to another
user raises the same ``NotFoundError``, so nobody can learn which ids exist. Scoring formulas live
in ``tutor/progress.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, selectinload

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.db.tutor import Conversation, Correction, SessionScore, TutorSession
from framecast.tutor import practice
from framecast.tutor import progress as scoring
from framecast.tutor.brain import CATEGORIES, DIFFICULTIES, LANGUAGES
from framecast.tutor.progress_store import locked_progress
from framecast.tutor.records import (
    CorrectionInfo,
    EndedSession,
    MessageInfo,
    ProgressInfo,
    SessionDetail,
    SessionInfo,
)

# Points of the progress chart returned by ``progress_stats`` (the newest ones).
MAX_HISTORY = 200
RECENT_SESSIONS = 5
RECENT_CORRECTIONS = 10


# -- sessions ---------------------------------------------------------------------------------------


def preferred_language(preferences: dict[str, Any] | None, default_language: str = "en") -> str:
    """The user's ``tutor_language`` preference when it is a valid one, else ``default_language``."""
    value = (preferences or {}).get("tutor_language")
    return value if isinstance(value, str) and value in LANGUAGES else default_language


def create_session(
    db: Database,
    user_id: int,
    *,
    difficulty: str = "beginner",
    topic: str | None = None,
    language: str | None = None,
    default_language: str = "en",
) -> SessionInfo:
    """Start a session. ``language`` defaults to the user's ``tutor_language`` preference, else
    ``default_language`` (pass ``settings.tutor.language``); a language chosen here becomes the
    user's preference, so suggestions and the next session follow it.

    Raises ``InvalidInputError`` naming the field for a difficulty, topic or language that is not
    one of ``brain.DIFFICULTIES``, ``brain.CATEGORIES`` or ``brain.LANGUAGES``, and
    ``NotFoundError`` when the user does not exist.
    """
    if difficulty not in DIFFICULTIES:
        raise InvalidInputError(
            f"difficulty: {difficulty!r} is not a level; choose one of {', '.join(DIFFICULTIES)}"
        )
    if topic is not None and topic not in CATEGORIES:
        raise InvalidInputError(f"topic: {topic!r} is not a topic; choose one of {', '.join(CATEGORIES)}")
    if language is not None and language not in LANGUAGES:
        raise InvalidInputError(
            f"language: {language!r} is not supported; choose one of {', '.join(LANGUAGES)}"
        )
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        if language is not None and (user.preferences or {}).get("tutor_language") != language:
            user.preferences = {**(user.preferences or {}), "tutor_language": language}
        row = TutorSession(
            user_id=user_id,
            difficulty=difficulty,
            topic=topic,
            language=language or preferred_language(user.preferences, default_language),
            started_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return SessionInfo.of(row)


def _owned(session: Session, session_id: str, user_id: int, *, with_messages: bool = False) -> TutorSession:
    options = (
        [selectinload(TutorSession.messages).selectinload(Conversation.corrections)] if with_messages else []
    )
    row = session.get(TutorSession, session_id, options=options)
    if row is None or row.user_id != user_id:
        raise NotFoundError(f"no tutor session {session_id}")
    return row


def owned_session(db: Database, session_id: str, user_id: int) -> SessionInfo:
    """The session, if it exists and is ``user_id``'s; else ``NotFoundError`` (the same for both)."""
    with db.session() as session:
        return SessionInfo.of(_owned(session, session_id, user_id))


def _newest(user_id: int, limit: int) -> Select[TutorSession]:
    return (
        select(TutorSession)
        .where(TutorSession.user_id == user_id)
        .order_by(TutorSession.started_at.desc(), TutorSession.id)
        .limit(limit)
    )


def list_sessions(db: Database, user_id: int, *, limit: int = 20) -> list[SessionInfo]:
    """The user's sessions, newest first."""
    with db.session() as session:
        return [SessionInfo.of(row) for row in session.scalars(_newest(user_id, limit))]


def _detail(row: TutorSession) -> SessionDetail:
    messages = tuple(MessageInfo.of(m) for m in sorted(row.messages, key=lambda m: m.seq))
    return SessionDetail(
        SessionInfo.of(row), messages, tuple(c for message in messages for c in message.corrections)
    )


def session_detail(db: Database, session_id: str, user_id: int) -> SessionDetail:
    """The session with its messages and corrections; ``NotFoundError`` as :func:`owned_session`."""
    with db.session() as session:
        return _detail(_owned(session, session_id, user_id, with_messages=True))


def session_details(db: Database, user_id: int, *, limit: int = 10) -> list[SessionDetail]:
    """The user's ``limit`` newest sessions with their messages and corrections, newest first."""
    with db.session() as session:
        messages = selectinload(TutorSession.messages).selectinload(Conversation.corrections)
        return [_detail(row) for row in session.scalars(_newest(user_id, limit).options(messages))]


def end_session(db: Database, session_id: str, user_id: int, *, now: datetime | None = None) -> EndedSession:
    """End the session: set ``ended_at`` and ``duration``, score it, and fold it into the progress.

    One transaction. The session row is claimed with ``UPDATE ... WHERE ended_at IS NULL``, so of two
    concurrent ends exactly one counts; the progress row is read ``FOR UPDATE`` so two sessions of one
    user ending together both count. Raises ``NotFoundError`` (missing or not the user's) and
    ``InvalidInputError("session already ended")``.
    """
    ended = now or utcnow()
    with db.session() as session:
        row = _owned(session, session_id, user_id)
        if row.ended_at is not None:
            raise InvalidInputError("session already ended")
        duration = max(0, int((ended - row.started_at).total_seconds()))
        claimed = session.execute(
            update(TutorSession)
            .where(TutorSession.id == session_id, TutorSession.ended_at.is_(None))
            .values(ended_at=ended, duration=duration)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidInputError("session already ended")
        session.expire(row)

        texts = list(
            session.scalars(
                select(Conversation.content).where(
                    Conversation.session_id == session_id, Conversation.role == "user"
                )
            )
        )
        audio = list(
            session.scalars(
                select(Conversation.word_scores).where(
                    Conversation.session_id == session_id,
                    Conversation.role == "user",
                    Conversation.kind == "audio",
                )
            )
        )
        marks = [
            (kind, severity)
            for kind, severity in session.execute(
                select(Correction.correction_type, Correction.severity).where(
                    Correction.session_id == session_id
                )
            )
        ]
        scores = scoring.score_session(texts, marks, audio)

        progress = locked_progress(session, user_id)
        if scores is not None:
            measured = (
                session.scalar(select(SessionScore.id).where(SessionScore.user_id == user_id).limit(1))
                is not None
            )
            overall = scoring.fold_scores(
                scoring.OverallScores(
                    grammar=progress.grammar_score,
                    vocabulary=progress.vocabulary_score,
                    pronunciation=progress.pronunciation_score,
                    measured=measured,
                    pronunciation_measured=progress.pronunciation_measured,
                ),
                scores,
            )
            session.add(
                SessionScore(
                    session_id=session_id,
                    user_id=user_id,
                    grammar_score=scores.grammar,
                    vocabulary_score=scores.vocabulary,
                    pronunciation_score=scores.pronunciation,
                    words=scores.words,
                    created_at=ended,
                )
            )
            progress.grammar_score = overall.grammar
            progress.vocabulary_score = overall.vocabulary
            progress.pronunciation_score = overall.pronunciation
            progress.pronunciation_measured = overall.pronunciation_measured
        progress.total_sessions += 1
        progress.total_duration += duration
        progress.total_corrections += len(marks)
        progress.last_session_date = ended
        session.flush()
        return EndedSession(SessionInfo.of(row), scores)


# -- progress ---------------------------------------------------------------------------------------


def get_progress(db: Database, user_id: int) -> ProgressInfo:
    """The user's progress, created (all zero) if missing; ``NotFoundError`` for an unknown user."""
    with db.session() as session:
        return ProgressInfo.of(locked_progress(session, user_id))


def progress_stats(db: Database, user_id: int) -> dict[str, Any]:
    """The seed's stats plus ``history`` (the newest ``MAX_HISTORY`` session scores, oldest first)
    and the practice attempts' ``practice`` and ``practice_history`` (``practice.practice_stats``)::

    {progress, correction_stats, recent_sessions, average_session_duration, total_conversations, history,
     practice, practice_history}
    """
    progress = get_progress(db, user_id)
    with db.session() as session:
        marks = session.execute(
            select(Correction.correction_type, Correction.severity)
            .join(TutorSession, TutorSession.id == Correction.session_id)
            .where(TutorSession.user_id == user_id)
        )
        stats = scoring.correction_stats((kind, severity) for kind, severity in marks)
        total_conversations = session.scalar(
            select(func.count(Conversation.id))
            .join(TutorSession, TutorSession.id == Conversation.session_id)
            .where(TutorSession.user_id == user_id)
        )
        points = list(
            session.scalars(
                select(SessionScore)
                .where(SessionScore.user_id == user_id)
                .order_by(SessionScore.created_at.desc(), SessionScore.id.desc())
                .limit(MAX_HISTORY)
            )
        )
        history = [
            {
                "session_id": p.session_id,
                "grammar": p.grammar_score,
                "vocabulary": p.vocabulary_score,
                "pronunciation": p.pronunciation_score,
                "words": p.words,
                "created_at": p.created_at,
            }
            for p in reversed(points)
        ]
        recent = session.scalars(
            select(TutorSession)
            .where(TutorSession.user_id == user_id)
            .order_by(TutorSession.started_at.desc(), TutorSession.id)
            .limit(RECENT_SESSIONS)
            .options(selectinload(TutorSession.corrections))
        )
        recent_sessions = [
            {
                **SessionInfo.of(s).to_json(),
                "corrections": [CorrectionInfo.of(c).to_json() for c in s.corrections],
            }
            for s in recent
        ]
        practised = practice.practice_stats(session, user_id)
    average = progress.total_duration / progress.total_sessions if progress.total_sessions else 0
    return {
        "progress": progress.to_json(),
        "correction_stats": stats,
        "recent_sessions": recent_sessions,
        "average_session_duration": average,
        "total_conversations": total_conversations or 0,
        "history": history,
        **practised,
    }


def progress_weaknesses(
    db: Database, user_id: int, *, language: str = "en", for_teacher: bool = False
) -> dict[str, Any]:
    """``{weakness_areas, common_mistakes, recent_corrections, improvement_suggestions}``.

    ``common_mistakes``: the 5 most frequent ``[text, count]`` over all the user's grammar and
    vocabulary corrections; ``recent_corrections``: the newest 10, newest first; suggestions in
    ``language``, told to the learner or, ``for_teacher``, about the learner by their name.
    Raises ``NotFoundError`` for an unknown user.
    """
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        about = user.name if for_teacher else None
        newest_first = (Correction.created_at.desc(), Correction.position.desc(), Correction.id)
        rows = session.execute(
            select(Correction.correction_type, Correction.severity, Correction.original_text)
            .join(TutorSession, TutorSession.id == Correction.session_id)
            .where(TutorSession.user_id == user_id)
            .order_by(*newest_first)
        ).all()
        recent = session.scalars(
            select(Correction)
            .join(TutorSession, TutorSession.id == Correction.session_id)
            .where(TutorSession.user_id == user_id)
            .order_by(*newest_first)
            .limit(RECENT_CORRECTIONS)
        )
        recent_corrections = [CorrectionInfo.of(c).to_json() for c in recent]
    areas = scoring.correction_stats((kind, severity) for kind, severity, _ in rows)["by_type"]
    mistakes = scoring.common_mistakes(text for kind, _, text in rows if kind in ("grammar", "vocabulary"))
    return {
        "weakness_areas": areas,
        "common_mistakes": [[text, count] for text, count in mistakes],
        "recent_corrections": recent_corrections,
        "improvement_suggestions": scoring.suggestions(areas, language, about=about),
    }
