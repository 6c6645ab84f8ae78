"""Pronunciation practice: the phrases, their spoken examples, scored attempts, and their progress.

A learner picks a phrase (``practice_phrases``, seeded by ``tutor/phrases.py``), listens to it spoken
by the configured text to speech (cached on disk under ``<data_dir>/tutor/phrases/<id>.mp3``), and
records themselves. The recording is heard by the pronunciation scorer against the phrase: with
pocketsphinx, a grammar in which each word of the phrase competes with its sound-alikes or being
skipped (``tutor/phrase_scoring.py``), so a swapped word is heard as what was said; a scorer that only
transcribes is compared with its transcript (``tutor/pronunciation.py``). The attempt is stored as a
``PracticeAttempt`` whose words carry, besides their score and what was heard, whether they are
flagged and a note for the learner in their language ("you said "rate"").

**Practice counts toward progress.** In the same transaction as the attempt, its score moves the
learner's ``Progress.pronunciation_score`` with the moving average used for sessions
(``progress.fold_practice``); the progress row is locked (``FOR UPDATE`` on PostgreSQL, the
``BEGIN IMMEDIATE`` write lock on SQLite) so concurrent attempts each count once.

The database functions are synchronous (call them through ``anyio.to_thread.run_sync``); the two
``async`` functions (:func:`phrase_audio`, :func:`score_attempt`) do the speech work. Rows never
leave this module: callers get frozen dataclasses with ``to_json()``.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.core.files import write_bytes_atomically
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.db.tutor import PracticeAttempt, PracticePhrase
from framecast.providers.base import Transcript
from framecast.tutor import progress as scoring
from framecast.tutor.brain import CATEGORIES, DIFFICULTIES, Language
from framecast.tutor.phrase_scoring import PhraseHearer, hear_and_score, heard_text
from framecast.tutor.progress_store import locked_progress
from framecast.tutor.pronunciation import (
    DEFAULT_THRESHOLD,
    WordScore,
    is_flagged,
    overall_score,
    said_note,
    score_words,
)
from framecast.tutor.quotas import RecognitionQueue
from framecast.tutor.recordings import check_mime, receive_audio, require_length, require_speech
from framecast.tutor.services import TutorServices

# Attempts in ``practice_stats``: the recent list, and the newest points of the chart.
RECENT_ATTEMPTS = 5
MAX_HISTORY = 200


@dataclass(frozen=True)
class PhraseInfo:
    id: int
    category: str
    difficulty: str
    english_text: str
    korean_text: str

    @classmethod
    def of(cls, row: PracticePhrase) -> PhraseInfo:
        return cls(row.id, row.category, row.difficulty, row.english_text, row.korean_text)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AttemptInfo:
    """One attempt; ``words``: ``[{word, score (0..1), heard, sound, flagged, note}]`` in the
    phrase's word order (``note``: what was heard of a flagged word, for the learner; attempts
    stored before flags existed lack ``flagged`` and ``note``)."""

    id: int
    phrase_id: int
    transcript: str
    score: float  # 0..100, one decimal
    words: list[dict[str, Any]]
    created_at: datetime

    @classmethod
    def of(cls, row: PracticeAttempt) -> AttemptInfo:
        return cls(
            row.id, row.phrase_id, row.transcript, row.score, list(row.word_scores or []), row.created_at
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- phrases ----------------------------------------------------------------------------------------


def list_phrases(
    db: Database, *, category: str | None = None, difficulty: str | None = None
) -> list[PhraseInfo]:
    """The phrases, by id; an empty or None filter means any.

    Raises ``InvalidInputError`` naming the field for a category or difficulty that is not one of
    ``brain.CATEGORIES`` / ``brain.DIFFICULTIES``.
    """
    if category and category not in CATEGORIES:
        raise InvalidInputError(
            f"category: {category!r} is not a category; choose one of {', '.join(CATEGORIES)}"
        )
    if difficulty and difficulty not in DIFFICULTIES:
        raise InvalidInputError(
            f"difficulty: {difficulty!r} is not a level; choose one of {', '.join(DIFFICULTIES)}"
        )
    query = select(PracticePhrase).order_by(PracticePhrase.id)
    if category:
        query = query.where(PracticePhrase.category == category)
    if difficulty:
        query = query.where(PracticePhrase.difficulty == difficulty)
    with db.session() as session:
        return [PhraseInfo.of(row) for row in session.scalars(query)]


def get_phrase(db: Database, phrase_id: int) -> PhraseInfo:
    """The phrase; ``NotFoundError`` when there is none with that id."""
    with db.session() as session:
        row = session.get(PracticePhrase, phrase_id)
        if row is None:
            raise NotFoundError(f"no practice phrase {phrase_id}")
        return PhraseInfo.of(row)


def phrase_audio_path(data_dir: Path, phrase_id: int) -> Path:
    return data_dir / "tutor" / "phrases" / f"{phrase_id}.mp3"


async def phrase_audio(db: Database, services: TutorServices, data_dir: Path, phrase_id: int) -> Path:
    """The MP3 of the phrase spoken by ``services.tts``, synthesised on first use and then cached.

    The file is written atomically (a temporary file renamed into place), so a reader never sees a
    partial file and two concurrent first requests both succeed. Raises ``NotFoundError`` for an
    unknown phrase and the provider's errors when speech fails.
    """
    phrase = await anyio.to_thread.run_sync(get_phrase, db, phrase_id)
    path = phrase_audio_path(data_dir, phrase.id)
    if await anyio.Path(path).is_file():
        return path
    speech = await services.tts.synthesize(phrase.english_text, voice=services.voice, audio_format="mp3")
    await anyio.to_thread.run_sync(write_bytes_atomically, path, speech.data)
    return path


# -- attempts ---------------------------------------------------------------------------------------


async def score_attempt(
    db: Database,
    services: TutorServices,
    user_id: int,
    phrase_id: int,
    audio_b64: object,
    *,
    mime: object = None,
    max_audio_bytes: int,
    max_seconds: float,
    recognition: RecognitionQueue | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    language: Language = "en",
) -> AttemptInfo:
    """Hear the recording, score it against the phrase, store it and fold it into the progress.

    The recording waits for the learner's fair turn at ``recognition`` (when given) like a
    conversation turn. Words scoring under ``threshold`` are flagged, with a note in ``language``.
    Raises ``InvalidInputError`` for audio that is missing, too big, not base64, not a recording
    (saying what it looks like), longer than ``max_seconds``, does not decode (the decoder's
    message) or holds no speech, and for a ``mime`` that is not storable text;
    ``NotFoundError`` for an unknown phrase; ``TooManyAttemptsError`` when the learner already holds
    their share of the recogniser.
    """
    audio = await receive_audio(audio_b64, limit=max_audio_bytes)
    hint = check_mime(mime)
    phrase = await anyio.to_thread.run_sync(get_phrase, db, phrase_id)
    await require_length(audio, limit_s=max_seconds)
    scorer = services.scorer
    async with recognition.turn(user_id) if recognition is not None else contextlib.nullcontext():
        if isinstance(scorer, PhraseHearer):
            scores, free = await hear_and_score(scorer, audio, phrase.english_text, transcribe=True)
            # The free transcript only says whether anything was said at all.
            require_speech(free or Transcript(text=""))
            transcript = heard_text(scores)
        else:
            heard = require_speech(await scorer.transcribe(audio, mime=hint))
            scores, transcript = score_words(phrase.english_text, heard), heard.text
    words = [word_json(item, threshold=threshold, language=language) for item in scores]
    score = round(min(100.0, max(0.0, overall_score(scores))), 1)
    return await anyio.to_thread.run_sync(
        lambda: record_attempt(db, user_id, phrase.id, transcript=transcript, words=words, score=score)
    )


def word_json(
    item: WordScore, *, threshold: float = DEFAULT_THRESHOLD, language: Language = "en"
) -> dict[str, Any]:
    """A scored word as stored on an attempt: its ``to_json()`` with ``flagged`` and ``note``."""
    flagged = is_flagged(item, threshold)
    return {**item.to_json(), "flagged": flagged, "note": said_note(item, language) if flagged else None}


def record_attempt(
    db: Database,
    user_id: int,
    phrase_id: int,
    *,
    transcript: str,
    words: list[dict[str, Any]],
    score: float,
    now: datetime | None = None,
) -> AttemptInfo:
    """Store an attempt and fold its ``score`` (0..100) into the user's pronunciation score, in one
    transaction; the progress row is created if missing and locked while it is updated."""
    with db.session() as session:
        row = PracticeAttempt(
            user_id=user_id,
            phrase_id=phrase_id,
            transcript=transcript,
            score=score,
            word_scores=words,
            created_at=now or utcnow(),
        )
        session.add(row)
        progress = locked_progress(session, user_id)
        overall = scoring.fold_practice(
            scoring.OverallScores(
                pronunciation=progress.pronunciation_score,
                pronunciation_measured=progress.pronunciation_measured,
            ),
            score,
        )
        progress.pronunciation_score = overall.pronunciation
        progress.pronunciation_measured = overall.pronunciation_measured
        session.flush()
        return AttemptInfo.of(row)


def list_attempts(
    db: Database, user_id: int, *, phrase_id: int | None = None, limit: int = 20
) -> list[AttemptInfo]:
    """The user's attempts (at ``phrase_id`` when given), newest first."""
    query = select(PracticeAttempt).where(PracticeAttempt.user_id == user_id)
    if phrase_id is not None:
        query = query.where(PracticeAttempt.phrase_id == phrase_id)
    query = query.order_by(PracticeAttempt.created_at.desc(), PracticeAttempt.id.desc()).limit(limit)
    with db.session() as session:
        return [AttemptInfo.of(row) for row in session.scalars(query)]


# -- statistics -------------------------------------------------------------------------------------


def practice_stats(session: Session, user_id: int) -> dict[str, Any]:
    """``{practice: {attempts, phrases_practised, average_score, recent}, practice_history}`` for
    ``/api/progress/{id}/stats``, read in the caller's ``session``.

    ``average_score`` is None without attempts; ``recent`` holds the newest ``RECENT_ATTEMPTS``
    attempts (newest first) with the phrase's ``english_text`` and ``korean_text``;
    ``practice_history`` the newest ``MAX_HISTORY`` points ``{created_at, score}``, oldest first.
    """
    mine = PracticeAttempt.user_id == user_id
    attempts, phrases, average = session.execute(
        select(
            func.count(PracticeAttempt.id),
            func.count(func.distinct(PracticeAttempt.phrase_id)),
            func.avg(PracticeAttempt.score),
        ).where(mine)
    ).one()
    newest_first = (PracticeAttempt.created_at.desc(), PracticeAttempt.id.desc())
    recent = session.execute(
        select(PracticeAttempt, PracticePhrase.english_text, PracticePhrase.korean_text)
        .join(PracticePhrase, PracticePhrase.id == PracticeAttempt.phrase_id)
        .where(mine)
        .order_by(*newest_first)
        .limit(RECENT_ATTEMPTS)
    ).all()
    points = session.execute(
        select(PracticeAttempt.created_at, PracticeAttempt.score)
        .where(mine)
        .order_by(*newest_first)
        .limit(MAX_HISTORY)
    ).all()
    return {
        "practice": {
            "attempts": attempts or 0,
            "phrases_practised": phrases or 0,
            "average_score": round(float(average), 1) if average is not None else None,
            "recent": [
                {**AttemptInfo.of(row).to_json(), "english_text": english, "korean_text": korean}
                for row, english, korean in recent
            ],
        },
        "practice_history": [{"created_at": created, "score": score} for created, score in reversed(points)],
    }
