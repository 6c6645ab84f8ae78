"""Tutor sessions in the database: creation, ownership, ending (scores, progress, races), reports.

Runs on SQLite and PostgreSQL (the ``db`` fixture). ``add_user`` and ``add_message`` are reused by
the web tests to put a conversation in place without a WebSocket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.db.tutor import Conversation, Correction, Progress, SessionScore, TutorSession
from framecast.tutor import sessions
from framecast.tutor.sessions import create_session, end_session, owned_session

DOG = "Yesterday I go to the park and I see an dog."
DOG_FIXES = [("grammar", "go", "went"), ("grammar", "see", "saw"), ("grammar", "an dog", "a dog")]


def add_user(db: Database, email: str, *, preferences: dict[str, Any] | None = None) -> int:
    with db.session() as session:
        user = User(email=email, name=email.split("@")[0], password_hash="x", preferences=preferences or {})
        session.add(user)
        session.flush()
        return user.id


def add_message(
    db: Database,
    session_id: str,
    content: str,
    *,
    role: str = "user",
    kind: str = "text",
    fixes: Sequence[tuple[str, str, str]] = (),
    severity: str = "medium",
    word_scores: list[dict[str, Any]] | None = None,
) -> str:
    """A message at the next position with ``(type, original, corrected)`` corrections."""
    with db.session() as session:
        last = session.scalars(
            select(Conversation.seq)
            .where(Conversation.session_id == session_id)
            .order_by(Conversation.seq.desc())
        ).first()
        message = Conversation(
            session_id=session_id,
            seq=(last or 0) + 1,
            role=role,
            content=content,
            kind=kind,
            word_scores=word_scores,
        )
        session.add(message)
        session.flush()
        for position, (kind_, original, corrected) in enumerate(fixes):
            session.add(
                Correction(
                    session_id=session_id,
                    conversation_id=message.id,
                    correction_type=kind_,
                    original_text=original,
                    corrected_text=corrected,
                    explanation="because",
                    severity=severity,
                    position=position,
                )
            )
        return message.id


def progress_row(db: Database, user_id: int) -> Progress:
    with db.session() as session:
        row = session.scalars(select(Progress).where(Progress.user_id == user_id)).one()
        session.expunge(row)
        return row


@pytest.fixture
def user_id(db: Database) -> int:
    return add_user(db, "learner@example.com")


# -- create and own ---------------------------------------------------------------------------------


def test_a_session_starts_with_the_given_level_topic_and_language(db: Database, user_id: int) -> None:
    info = create_session(db, user_id, difficulty="advanced", topic="travel", language="ko")

    assert (info.user_id, info.difficulty, info.topic, info.language) == (user_id, "advanced", "travel", "ko")
    assert info.ended_at is None
    assert info.duration is None
    assert owned_session(db, info.id, user_id) == info


def test_the_language_defaults_to_the_preference_then_the_server_default(db: Database) -> None:
    korean = add_user(db, "ko@example.com", preferences={"tutor_language": "ko"})
    odd = add_user(db, "odd@example.com", preferences={"tutor_language": "klingon"})

    assert create_session(db, korean).language == "ko"
    assert create_session(db, odd).language == "en"
    assert create_session(db, odd, default_language="ko").language == "ko"


def test_a_language_chosen_for_a_session_becomes_the_preference(db: Database, user_id: int) -> None:
    create_session(db, user_id, language="ko")

    assert create_session(db, user_id).language == "ko"
    with db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.preferences["tutor_language"] == "ko"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"difficulty": "expert"}, "difficulty: 'expert'"),
        ({"topic": "cooking"}, "topic: 'cooking'"),
        ({"language": "fr"}, "language: 'fr'"),
    ],
)
def test_a_bad_option_is_refused_naming_the_field(
    db: Database, user_id: int, options: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInputError, match=field):
        create_session(db, user_id, **options)


def test_a_session_for_an_unknown_user_is_refused(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no user 999"):
        create_session(db, 999)


def test_another_users_session_reads_exactly_like_a_missing_one(db: Database, user_id: int) -> None:
    other = add_user(db, "other@example.com")
    info = create_session(db, user_id)

    with pytest.raises(NotFoundError) as foreign:
        owned_session(db, info.id, other)
    with pytest.raises(NotFoundError) as missing:
        owned_session(db, "no-such-id", other)

    assert str(foreign.value) == f"no tutor session {info.id}"
    assert str(missing.value) == "no tutor session no-such-id"
    with pytest.raises(NotFoundError):
        end_session(db, info.id, other)
    with pytest.raises(NotFoundError):
        sessions.session_detail(db, info.id, other)


# -- end --------------------------------------------------------------------------------------------


def test_ending_scores_the_session_and_updates_the_progress(db: Database, user_id: int) -> None:
    info = create_session(db, user_id)
    add_message(db, info.id, "Hello! What did you do yesterday?", role="assistant", kind="opening")
    add_message(db, info.id, DOG, fixes=DOG_FIXES)
    add_message(db, info.id, "Good try.", role="assistant", kind="reply")

    ended = end_session(db, info.id, user_id, now=info.started_at + timedelta(seconds=95))

    assert ended.session.ended_at == info.started_at + timedelta(seconds=95)
    assert ended.session.duration == 95
    assert ended.scores is not None
    assert (ended.scores.grammar, ended.scores.vocabulary, ended.scores.pronunciation) == (31.8, 100.0, None)
    assert ended.to_json()["scores"] == {"grammar": 31.8, "vocabulary": 100.0, "pronunciation": None}
    progress = progress_row(db, user_id)
    assert (progress.total_sessions, progress.total_duration, progress.total_corrections) == (1, 95, 3)
    assert (progress.grammar_score, progress.vocabulary_score) == (31.8, 100.0)
    assert (progress.pronunciation_score, progress.pronunciation_measured) == (0.0, False)
    assert progress.last_session_date == ended.session.ended_at
    with db.session() as session:
        point = session.scalars(select(SessionScore)).one()
        assert (point.session_id, point.user_id, point.grammar_score, point.words) == (
            info.id,
            user_id,
            31.8,
            11,
        )


def test_later_sessions_move_the_scores_by_the_moving_average(db: Database, user_id: int) -> None:
    first = create_session(db, user_id)
    add_message(db, first.id, DOG, fixes=DOG_FIXES)
    end_session(db, first.id, user_id)
    second = create_session(db, user_id)
    add_message(
        db,
        second.id,
        "I went to the park and I saw a dog.",
        kind="audio",
        word_scores=[
            {"word": "park", "score": 0.8, "heard": "park"},
            {"word": "dog", "score": 0.6, "heard": "dog"},
        ],
    )

    ended = end_session(db, second.id, user_id)

    assert ended.scores is not None
    assert ended.scores.pronunciation == 70.0
    progress = progress_row(db, user_id)
    assert progress.total_sessions == 2
    assert progress.grammar_score == round(0.3 * 100 + 0.7 * 31.8, 1)
    assert (progress.pronunciation_score, progress.pronunciation_measured) == (70.0, True)


def test_a_silent_session_counts_but_moves_no_score(db: Database, user_id: int) -> None:
    first = create_session(db, user_id)
    add_message(db, first.id, DOG, fixes=DOG_FIXES)
    end_session(db, first.id, user_id)
    silent = create_session(db, user_id)
    add_message(db, silent.id, "Hello! Tell me about your day.", role="assistant", kind="opening")

    ended = end_session(db, silent.id, user_id)

    assert ended.scores is None
    assert ended.to_json()["scores"] == {"grammar": None, "vocabulary": None, "pronunciation": None}
    progress = progress_row(db, user_id)
    assert (progress.total_sessions, progress.grammar_score) == (2, 31.8)
    with db.session() as session:
        assert len(session.scalars(select(SessionScore)).all()) == 1


def test_ending_twice_is_refused_and_counts_once(db: Database, user_id: int) -> None:
    info = create_session(db, user_id)
    add_message(db, info.id, DOG, fixes=DOG_FIXES)
    end_session(db, info.id, user_id)

    with pytest.raises(InvalidInputError, match="session already ended"):
        end_session(db, info.id, user_id)

    progress = progress_row(db, user_id)
    assert (progress.total_sessions, progress.total_corrections) == (1, 3)


def run_together(calls: Sequence[Callable[[], object]]) -> list[object]:
    """Run ``calls`` in threads released at once; each result is its return value or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # the outcome under test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_concurrent_ends_of_one_session_count_once(db: Database, user_id: int) -> None:
    info = create_session(db, user_id)
    add_message(db, info.id, DOG, fixes=DOG_FIXES)

    results = run_together([lambda: end_session(db, info.id, user_id)] * 4)

    refused = [r for r in results if isinstance(r, InvalidInputError)]
    ended = [r for r in results if isinstance(r, sessions.EndedSession)]
    assert (len(ended), len(refused)) == (1, 3), results
    progress = progress_row(db, user_id)
    assert (progress.total_sessions, progress.total_corrections) == (1, 3)
    with db.session() as session:
        assert len(session.scalars(select(SessionScore)).all()) == 1


def test_concurrent_ends_of_different_sessions_all_count(db: Database, user_id: int) -> None:
    infos = [create_session(db, user_id) for _ in range(3)]
    for info in infos:
        add_message(db, info.id, DOG, fixes=DOG_FIXES[:1])

    results = run_together([lambda info=info: end_session(db, info.id, user_id) for info in infos])

    assert all(isinstance(r, sessions.EndedSession) for r in results), results
    progress = progress_row(db, user_id)
    assert (progress.total_sessions, progress.total_corrections) == (3, 3)
    with db.session() as session:
        assert len(session.scalars(select(Progress)).all()) == 1


# -- reading ----------------------------------------------------------------------------------------


def test_a_detail_lists_messages_by_position_with_their_corrections(db: Database, user_id: int) -> None:
    info = create_session(db, user_id)
    add_message(db, info.id, "Hi!", role="assistant", kind="opening")
    add_message(db, info.id, DOG, fixes=DOG_FIXES)

    detail = sessions.session_detail(db, info.id, user_id)

    assert [m.seq for m in detail.messages] == [1, 2]
    assert [c.original_text for c in detail.messages[1].corrections] == ["go", "see", "an dog"]
    assert [c.original_text for c in detail.corrections] == ["go", "see", "an dog"]
    body = detail.to_json()
    assert [m["role"] for m in body["conversations"]] == ["assistant", "user"]
    assert body["id"] == info.id


def test_lists_are_newest_first_and_only_the_users(db: Database, user_id: int) -> None:
    other = add_user(db, "other@example.com")
    older = create_session(db, user_id)
    with db.session() as session:
        row = session.get(TutorSession, older.id)
        assert row is not None
        row.started_at = utcnow() - timedelta(hours=1)
    newer = create_session(db, user_id)
    create_session(db, other)

    assert [s.id for s in sessions.list_sessions(db, user_id)] == [newer.id, older.id]
    assert [d.session.id for d in sessions.session_details(db, user_id, limit=1)] == [newer.id]


def test_progress_is_created_on_first_read(db: Database, user_id: int) -> None:
    info = sessions.get_progress(db, user_id)

    assert (info.user_id, info.total_sessions, info.grammar_score) == (user_id, 0, 0.0)
    assert sessions.get_progress(db, user_id) == info
    with pytest.raises(NotFoundError):
        sessions.get_progress(db, 999)


def test_stats_count_everything_and_chart_the_scores_oldest_first(db: Database, user_id: int) -> None:
    first = create_session(db, user_id)
    add_message(db, first.id, "Hi", role="assistant")
    add_message(db, first.id, DOG, fixes=DOG_FIXES)
    end_session(db, first.id, user_id, now=first.started_at + timedelta(seconds=60))
    second = create_session(db, user_id)
    add_message(db, second.id, "I goed home.", fixes=[("vocabulary", "goed", "went")], severity="high")
    end_session(db, second.id, user_id, now=first.started_at + timedelta(seconds=300))

    stats = sessions.progress_stats(db, user_id)

    assert stats["correction_stats"] == {
        "total_corrections": 4,
        "by_type": {"grammar": 3, "pronunciation": 0, "vocabulary": 1},
        "by_severity": {"high": 1, "medium": 3, "low": 0},
    }
    assert stats["total_conversations"] == 3
    assert stats["progress"]["total_sessions"] == 2
    assert stats["average_session_duration"] == stats["progress"]["total_duration"] / 2
    assert [p["session_id"] for p in stats["history"]] == [first.id, second.id]
    assert {s["id"] for s in stats["recent_sessions"]} == {first.id, second.id}
    assert all("corrections" in s for s in stats["recent_sessions"])


def test_weaknesses_count_every_mistake_and_suggest_in_the_language(db: Database, user_id: int) -> None:
    for index in range(25):
        info = create_session(db, user_id)
        add_message(db, info.id, f"I go home {index}", fixes=[("grammar", "I go", "I went")])
    info = create_session(db, user_id)
    add_message(
        db, info.id, "An dog", fixes=[("vocabulary", "An dog", "a dog"), ("pronunciation", "dog", "dog")]
    )

    found = sessions.progress_weaknesses(db, user_id, language="ko")

    assert found["weakness_areas"] == {"grammar": 25, "pronunciation": 1, "vocabulary": 1}
    assert found["common_mistakes"] == [["i go", 25], ["an dog", 1]]
    assert len(found["recent_corrections"]) == 10
    assert "시제와 전치사" in found["improvement_suggestions"][0]
