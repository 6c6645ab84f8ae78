"""``/api/progress/{user_id}``: a learner reads only their own progress, stats and weaknesses."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from framecast.db.accounts import User
from framecast.tutor.sessions import create_session, end_session
from framecast.web.context import WebContext
from tests.tutor.test_sessions import DOG, DOG_FIXES, add_message
from tests.web.conftest import Account

PROGRESS_KEYS = {
    "id",
    "user_id",
    "total_sessions",
    "total_duration",
    "total_corrections",
    "grammar_score",
    "vocabulary_score",
    "pronunciation_score",
    "pronunciation_measured",
    "last_session_date",
}


def ended_session(web: WebContext, account: Account) -> str:
    info = create_session(web.db, account.user_id)
    add_message(web.db, info.id, "Hi!", role="assistant", kind="opening")
    add_message(web.db, info.id, DOG, fixes=DOG_FIXES)
    end_session(web.db, info.id, account.user_id)
    return info.id


def test_progress_is_created_all_zero_on_first_read(client: TestClient, bob: Account) -> None:
    response = client.get(f"/api/progress/{bob.user_id}", headers=bob.headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROGRESS_KEYS
    assert (body["user_id"], body["total_sessions"], body["grammar_score"], body["last_session_date"]) == (
        bob.user_id,
        0,
        0.0,
        None,
    )


def test_stats_have_the_seed_shape_and_the_chart_history(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    session_id = ended_session(web, bob)

    body = client.get(f"/api/progress/{bob.user_id}/stats", headers=bob.headers).json()

    assert set(body) == {
        "progress",
        "correction_stats",
        "recent_sessions",
        "average_session_duration",
        "total_conversations",
        "history",
        "practice",
        "practice_history",
    }
    assert body["correction_stats"] == {
        "total_corrections": 3,
        "by_type": {"grammar": 3, "pronunciation": 0, "vocabulary": 0},
        "by_severity": {"high": 0, "medium": 3, "low": 0},
    }
    assert body["total_conversations"] == 2
    assert [s["id"] for s in body["recent_sessions"]] == [session_id]
    assert len(body["recent_sessions"][0]["corrections"]) == 3
    assert [(p["session_id"], p["grammar"]) for p in body["history"]] == [(session_id, 31.8)]


def test_a_new_learners_stats_are_empty(client: TestClient, bob: Account) -> None:
    body = client.get(f"/api/progress/{bob.user_id}/stats", headers=bob.headers).json()

    assert (body["average_session_duration"], body["total_conversations"], body["history"]) == (0, 0, [])


def test_weaknesses_suggest_in_the_asked_or_preferred_language(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    ended_session(web, bob)
    path = f"/api/progress/{bob.user_id}/weaknesses"

    english = client.get(path, headers=bob.headers).json()
    korean = client.get(path, params={"language": "ko"}, headers=bob.headers).json()
    with web.db.session() as session:
        user = session.get(User, bob.user_id)
        assert user is not None
        user.preferences = {"tutor_language": "ko"}
    preferred = client.get(path, headers=bob.headers).json()

    assert english["weakness_areas"] == {"grammar": 3, "pronunciation": 0, "vocabulary": 0}
    assert english["common_mistakes"] == [["an dog", 1], ["see", 1], ["go", 1]]  # ties: newest first
    assert len(english["recent_corrections"]) == 3
    assert "verb tenses and prepositions" in english["improvement_suggestions"][0]
    assert "시제와 전치사" in korean["improvement_suggestions"][0]
    assert preferred["improvement_suggestions"] == korean["improvement_suggestions"]


def test_an_unknown_language_is_refused(client: TestClient, bob: Account) -> None:
    response = client.get(f"/api/progress/{bob.user_id}/weaknesses?language=fr", headers=bob.headers)

    assert response.status_code == 422
    assert response.json()["error"]["type"] == "invalid_input"


@pytest.mark.parametrize("suffix", ["", "/stats", "/weaknesses"])
def test_another_users_progress_answers_404_even_for_an_admin(
    client: TestClient, web: WebContext, alice: Account, bob: Account, suffix: str
) -> None:
    ended_session(web, bob)

    foreign = client.get(f"/api/progress/{bob.user_id}{suffix}", headers=alice.headers)
    missing = client.get(f"/api/progress/999{suffix}", headers=alice.headers)

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["error"]["message"] == f"no progress for user {bob.user_id}"
    assert missing.json()["error"]["message"] == "no progress for user 999"


@pytest.mark.parametrize("suffix", ["", "/stats", "/weaknesses"])
def test_progress_needs_a_login(client: TestClient, bob: Account, suffix: str) -> None:
    assert client.get(f"/api/progress/{bob.user_id}{suffix}").status_code == 401
