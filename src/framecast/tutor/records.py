"""What the Tutor's session functions hand out: frozen records of sessions, messages, corrections and
progress that stay valid after their transaction, each with ``to_json()`` for the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from framecast.db.tutor import Conversation, Correction, Progress, TutorSession
from framecast.tutor import progress as scoring


def _ordered(corrections: Sequence[Correction]) -> list[Correction]:
    """A message's corrections in the order they were found (``created_at`` alone can tie)."""
    return sorted(corrections, key=lambda c: (c.position, c.created_at, c.id))


@dataclass(frozen=True)
class SessionInfo:
    id: str
    user_id: int
    difficulty: str
    topic: str | None
    language: str
    started_at: datetime
    ended_at: datetime | None
    duration: int | None  # seconds, once ended

    @classmethod
    def of(cls, row: TutorSession) -> SessionInfo:
        return cls(
            row.id,
            row.user_id,
            row.difficulty,
            row.topic,
            row.language,
            row.started_at,
            row.ended_at,
            row.duration,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CorrectionInfo:
    id: str
    session_id: str
    conversation_id: str
    correction_type: str
    original_text: str
    corrected_text: str
    explanation: str | None
    severity: str
    position: int
    created_at: datetime

    @classmethod
    def of(cls, row: Correction) -> CorrectionInfo:
        return cls(
            row.id,
            row.session_id,
            row.conversation_id,
            row.correction_type,
            row.original_text,
            row.corrected_text,
            row.explanation,
            row.severity,
            row.position,
            row.created_at,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MessageInfo:
    """One message of a session (a ``Conversation`` row) with its corrections in order."""

    id: str
    session_id: str
    seq: int
    role: str
    content: str
    kind: str
    audio_url: str | None
    video_url: str | None
    video_state: str | None
    word_scores: list[dict[str, Any]] | None
    better_expression: str | None
    feedback: str | None
    timestamp: datetime
    corrections: tuple[CorrectionInfo, ...]

    @classmethod
    def of(cls, row: Conversation) -> MessageInfo:
        return cls(
            row.id,
            row.session_id,
            row.seq,
            row.role,
            row.content,
            row.kind,
            row.audio_url,
            row.video_url,
            row.video_state,
            row.word_scores,
            row.better_expression,
            row.feedback,
            row.timestamp,
            tuple(CorrectionInfo.of(c) for c in _ordered(row.corrections)),
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "corrections": [c.to_json() for c in self.corrections]}


@dataclass(frozen=True)
class SessionDetail:
    """A session with its messages (by ``seq``) and all its corrections (message order, then position)."""

    session: SessionInfo
    messages: tuple[MessageInfo, ...]
    corrections: tuple[CorrectionInfo, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.session.to_json(),
            "conversations": [m.to_json() for m in self.messages],
            "corrections": [c.to_json() for c in self.corrections],
        }


@dataclass(frozen=True)
class EndedSession:
    """An ended session and what it scored (None: the learner said nothing, nothing was scored)."""

    session: SessionInfo
    scores: scoring.SessionScores | None

    def to_json(self) -> dict[str, Any]:
        scores = self.scores
        return {
            **self.session.to_json(),
            "scores": {
                "grammar": scores.grammar if scores else None,
                "vocabulary": scores.vocabulary if scores else None,
                "pronunciation": scores.pronunciation if scores else None,
            },
        }


@dataclass(frozen=True)
class ProgressInfo:
    id: int
    user_id: int
    total_sessions: int
    total_duration: int
    total_corrections: int
    grammar_score: float
    vocabulary_score: float
    pronunciation_score: float
    pronunciation_measured: bool
    last_session_date: datetime | None

    @classmethod
    def of(cls, row: Progress) -> ProgressInfo:
        return cls(
            row.id,
            row.user_id,
            row.total_sessions,
            row.total_duration,
            row.total_corrections,
            row.grammar_score,
            row.vocabulary_score,
            row.pronunciation_score,
            row.pronunciation_measured,
            row.last_session_date,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
