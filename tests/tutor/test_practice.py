"""Practice in the database: phrases, decoding, scored attempts folded into progress (also under
concurrency), the cached phrase audio, and the practice statistics.

Runs on SQLite and PostgreSQL (the ``db`` fixture). Speech is faked here with a recogniser that
answers a fixed transcript; the real espeak-ng → pocketsphinx path is in
``tests/web/test_practice_api.py``.
"""

from __future__ import annotations

import base64
import functools
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.session import Database
from framecast.db.tutor import PracticeAttempt, PracticePhrase, Progress
from framecast.providers.base import AudioFormat, SpeechAudio, Transcript, WordTiming
from framecast.providers.offline.audio import pcm_to_wav
from framecast.tutor import practice, sessions
from framecast.tutor.phrases import seed_phrases
from framecast.tutor.progress import ALPHA, OverallScores, fold_practice
from framecast.tutor.scripted import ScriptedTutor
from framecast.tutor.services import TutorServices
from tests.tutor.test_sessions import DOG, DOG_FIXES, add_message, add_user, run_together

SEE_YOU = "See you tomorrow!"


@pytest.fixture
def user_id(db: Database) -> int:
    seed_phrases(db)
    return add_user(db, "learner@example.com")


def phrase_id(db: Database, english: str = SEE_YOU) -> int:
    with db.session() as session:
        found = session.scalar(select(PracticePhrase.id).where(PracticePhrase.english_text == english))
        assert found is not None
        return found


def progress_row(db: Database, user_id: int) -> Progress:
    with db.session() as session:
        row = session.scalars(select(Progress).where(Progress.user_id == user_id)).one()
        session.expunge(row)
        return row


def attempt(db: Database, user_id: int, score: float, english: str = SEE_YOU) -> practice.AttemptInfo:
    return practice.record_attempt(
        db, user_id, phrase_id(db, english), transcript="see you tomorrow", words=[], score=score
    )


# -- the progress rule (pure) -----------------------------------------------------------------------


def test_the_first_practice_score_sets_pronunciation_and_later_ones_move_it_by_alpha() -> None:
    first = fold_practice(OverallScores(grammar=40.0, measured=True), 80.0)
    second = fold_practice(first, 50.0)

    assert (first.pronunciation, first.pronunciation_measured, first.grammar) == (80.0, True, 40.0)
    assert second.pronunciation == round(ALPHA * 50.0 + (1 - ALPHA) * 80.0, 1) == 71.0
    assert fold_practice(OverallScores(), 250.0).pronunciation == 100.0


# -- phrases ----------------------------------------------------------------------------------------


def test_phrases_are_listed_by_id_and_filtered(db: Database, user_id: int) -> None:
    every = practice.list_phrases(db)
    greetings = practice.list_phrases(db, category="greeting", difficulty="beginner")
    blank = practice.list_phrases(db, category="", difficulty="")

    assert [p.id for p in every] == sorted(p.id for p in every)
    assert len(every) > 100
    assert blank == every
    assert greetings
    assert all((p.category, p.difficulty) == ("greeting", "beginner") for p in greetings)
    assert SEE_YOU in [p.english_text for p in greetings]
    assert set(greetings[0].to_json()) == {"id", "category", "difficulty", "english_text", "korean_text"}


@pytest.mark.parametrize(
    ("options", "field_name"),
    [({"category": "cooking"}, "category"), ({"difficulty": "expert"}, "difficulty")],
)
def test_an_unknown_category_or_difficulty_is_refused_by_name(
    db: Database, user_id: int, options: dict[str, str], field_name: str
) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field_name}: "):
        practice.list_phrases(db, **options)


def test_an_unknown_phrase_is_not_found(db: Database, user_id: int) -> None:
    with pytest.raises(NotFoundError, match="no practice phrase 999999"):
        practice.get_phrase(db, 999999)


# -- attempts and progress --------------------------------------------------------------------------


def test_an_attempt_creates_the_progress_row_and_sets_pronunciation(db: Database, user_id: int) -> None:
    stored = attempt(db, user_id, 82.5)

    progress = progress_row(db, user_id)
    assert (progress.pronunciation_score, progress.pronunciation_measured) == (82.5, True)
    assert (progress.total_sessions, progress.grammar_score, progress.last_session_date) == (0, 0.0, None)
    assert stored.to_json().keys() == {"id", "phrase_id", "transcript", "score", "words", "created_at"}


def test_attempts_fold_into_a_pronunciation_score_that_sessions_started(db: Database, user_id: int) -> None:
    info = sessions.create_session(db, user_id)
    add_message(
        db, info.id, "I like tea", kind="audio", word_scores=[{"word": "tea", "score": 0.6, "heard": "tea"}]
    )
    sessions.end_session(db, info.id, user_id)
    assert progress_row(db, user_id).pronunciation_score == 60.0

    attempt(db, user_id, 90.0)

    progress = progress_row(db, user_id)
    assert progress.pronunciation_score == round(ALPHA * 90.0 + (1 - ALPHA) * 60.0, 1) == 69.0
    assert progress.total_sessions == 1


def test_attempts_are_listed_newest_first_per_user_and_phrase(db: Database, user_id: int) -> None:
    other = add_user(db, "other@example.com")
    first = attempt(db, user_id, 10.0)
    second = attempt(db, user_id, 20.0, english="Nice to meet you.")
    third = attempt(db, user_id, 30.0)
    attempt(db, other, 40.0)

    assert [a.id for a in practice.list_attempts(db, user_id)] == [third.id, second.id, first.id]
    assert [a.id for a in practice.list_attempts(db, user_id, limit=2)] == [third.id, second.id]
    assert [a.id for a in practice.list_attempts(db, user_id, phrase_id=phrase_id(db))] == [
        third.id,
        first.id,
    ]
    assert [a.score for a in practice.list_attempts(db, other)] == [40.0]


def test_concurrent_attempts_each_count_once(db: Database, user_id: int) -> None:
    scores = [20.0, 40.0, 70.0, 90.0]

    results = run_together([functools.partial(attempt, db, user_id, score) for score in scores])

    assert all(isinstance(r, practice.AttemptInfo) for r in results), results
    with db.session() as session:
        assert len(session.scalars(select(Progress)).all()) == 1
        assert len(session.scalars(select(PracticeAttempt)).all()) == len(scores)
    # Whatever order the attempts were committed in, every one of them moved the average.
    possible = set()
    for order in itertools.permutations(scores):
        overall = OverallScores()
        for score in order:
            overall = fold_practice(overall, score)
        possible.add(overall.pronunciation)
    assert progress_row(db, user_id).pronunciation_score in possible


# -- statistics -------------------------------------------------------------------------------------


def test_stats_add_practice_and_its_history_and_keep_the_session_fields(db: Database, user_id: int) -> None:
    other = add_user(db, "other@example.com")
    info = sessions.create_session(db, user_id)
    add_message(db, info.id, DOG, fixes=DOG_FIXES)
    sessions.end_session(db, info.id, user_id)
    scores = [50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    for score in scores:
        attempt(db, user_id, score)
    attempt(db, user_id, 40.0, english="Nice to meet you.")
    attempt(db, other, 5.0)

    stats = sessions.progress_stats(db, user_id)

    assert {"progress", "correction_stats", "recent_sessions", "history"} <= set(stats)
    assert [p["grammar"] for p in stats["history"]] == [31.8]
    summary = stats["practice"]
    assert (summary["attempts"], summary["phrases_practised"]) == (7, 2)
    assert summary["average_score"] == round(sum([*scores, 40.0]) / 7, 1)
    assert [r["score"] for r in summary["recent"]] == [40.0, 100.0, 90.0, 80.0, 70.0]
    assert (summary["recent"][0]["english_text"], summary["recent"][1]["english_text"]) == (
        "Nice to meet you.",
        SEE_YOU,
    )
    assert summary["recent"][0]["korean_text"]
    assert [p["score"] for p in stats["practice_history"]] == [*scores, 40.0]
    assert set(stats["practice_history"][0]) == {"created_at", "score"}


def test_a_learner_without_practice_has_empty_practice_stats(db: Database, user_id: int) -> None:
    stats = sessions.progress_stats(db, user_id)

    assert stats["practice"] == {"attempts": 0, "phrases_practised": 0, "average_score": None, "recent": []}
    assert stats["practice_history"] == []


# -- speech (faked recogniser and voice) ------------------------------------------------------------


@dataclass
class FixedTranscript:
    """A recogniser that hears ``words`` with the given confidences, whatever the audio."""

    words: list[tuple[str, float]]
    name: str = "fixed"
    calls: int = 0

    async def transcribe(self, audio: bytes, *, mime: str | None = None, language: str = "en") -> Transcript:
        self.calls += 1
        timings = tuple(
            WordTiming(word, i, i + 1.0, confidence) for i, (word, confidence) in enumerate(self.words)
        )
        return Transcript(text=" ".join(word for word, _ in self.words), words=timings, language="en")


@dataclass
class CountingVoice:
    name: str = "counting"
    texts: list[str] = field(default_factory=list)

    async def synthesize(
        self, text: str, *, voice: str | None = None, audio_format: AudioFormat = "mp3"
    ) -> SpeechAudio:
        self.texts.append(text)
        return SpeechAudio(data=b"ID3" + text.encode(), mime="audio/mpeg")


def services(heard: FixedTranscript, voice: CountingVoice | None = None) -> TutorServices:
    tts = voice or CountingVoice()
    return TutorServices(stt=heard, tts=tts, brain=ScriptedTutor(), avatar=None, scorer=heard)


# A tenth of a second of a real WAV: the recogniser is faked, but the recording is still measured.
AUDIO = base64.b64encode(pcm_to_wav(b"\x10\x00\xf0\xff" * 800, 16000)).decode()
LIMITS = {"max_audio_bytes": 10_000, "max_seconds": 15.0}


async def test_an_attempt_is_scored_word_by_word_and_stored(db: Database, user_id: int) -> None:
    heard = FixedTranscript([("see", 1.0), ("you", 1.0), ("tomorrow", 0.0)])

    stored = await practice.score_attempt(db, services(heard), user_id, phrase_id(db), AUDIO, **LIMITS)

    plain = {"sound": None, "flagged": False, "note": None}
    assert stored.words == [
        {"word": "See", "score": 1.0, "heard": "See", **plain},
        {"word": "you", "score": 1.0, "heard": "you", **plain},
        {"word": "tomorrow", "score": 0.5, "heard": "tomorrow", **plain},
    ]
    assert (stored.transcript, stored.score) == ("see you tomorrow", 83.3)
    assert practice.list_attempts(db, user_id) == [stored]
    assert progress_row(db, user_id).pronunciation_score == 83.3


async def test_an_attempt_without_speech_or_at_an_unknown_phrase_stores_nothing(
    db: Database, user_id: int
) -> None:
    with pytest.raises(InvalidInputError, match="no speech was heard"):
        await practice.score_attempt(
            db, services(FixedTranscript([])), user_id, phrase_id(db), AUDIO, **LIMITS
        )
    with pytest.raises(NotFoundError):
        await practice.score_attempt(
            db, services(FixedTranscript([("hi", 1.0)])), user_id, 999999, AUDIO, **LIMITS
        )

    assert practice.list_attempts(db, user_id) == []


async def test_phrase_audio_is_synthesised_once_then_served_from_disk(
    db: Database, user_id: int, tmp_path: Path
) -> None:
    voice = CountingVoice()
    speech = services(FixedTranscript([]), voice)

    first = await practice.phrase_audio(db, speech, tmp_path, phrase_id(db))
    second = await practice.phrase_audio(db, speech, tmp_path, phrase_id(db))

    assert first == second == tmp_path / "tutor" / "phrases" / f"{phrase_id(db)}.mp3"
    assert first.read_bytes() == b"ID3" + SEE_YOU.encode()
    assert voice.texts == [SEE_YOU]
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temporary file left
    with pytest.raises(NotFoundError):
        await practice.phrase_audio(db, speech, tmp_path, 999999)
