"""``/api/conversations/sessions``: a learner starts, reads and ends only their own sessions.

Runs on SQLite and PostgreSQL (``settings`` is overridden to take the parametrized database).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import User
from framecast.web.context import WebContext
from tests.tutor.test_sessions import DOG, DOG_FIXES, add_message
from tests.web.conftest import Account

BASE = "/api/conversations/sessions"
SESSION_KEYS = {"id", "user_id", "difficulty", "topic", "language", "started_at", "ended_at", "duration"}


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", database_url)
    get_settings.cache_clear()
    return get_settings()


def start(client: TestClient, account: Account, **body: object) -> dict[str, object]:
    response = client.post(BASE, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_a_learner_starts_a_session_with_defaults(client: TestClient, bob: Account) -> None:
    response = client.post(BASE, headers=bob.headers)

    assert response.status_code == 201
    body = response.json()
    # The seed's SessionResponse: the session's messages and corrections, none yet.
    assert set(body) == SESSION_KEYS | {"conversations", "corrections"}
    assert (body["conversations"], body["corrections"]) == ([], [])
    assert (body["user_id"], body["difficulty"], body["topic"], body["language"]) == (
        bob.user_id,
        "beginner",
        None,
        "en",
    )
    assert body["ended_at"] is None


def test_a_session_takes_level_topic_language_and_the_callers_own_id(
    client: TestClient, bob: Account
) -> None:
    body = start(client, bob, difficulty="intermediate", topic="work", language="ko", user_id=bob.user_id)

    assert (body["difficulty"], body["topic"], body["language"]) == ("intermediate", "work", "ko")


def test_the_language_defaults_to_the_learners_preference(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    with web.db.session() as session:
        user = session.get(User, bob.user_id)
        assert user is not None
        user.preferences = {"tutor_language": "ko"}

    assert start(client, bob)["language"] == "ko"


def test_starting_a_session_for_someone_else_is_forbidden(
    client: TestClient, alice: Account, bob: Account
) -> None:
    response = client.post(BASE, json={"user_id": bob.user_id}, headers=alice.headers)

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "user_id: you can only start a session for yourself"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"difficulty": "expert"}, "difficulty"),
        ({"topic": "cooking"}, "topic"),
        ({"language": "fr"}, "language"),
    ],
)
def test_a_bad_option_answers_400_naming_the_field(
    client: TestClient, bob: Account, body: dict[str, str], field: str
) -> None:
    response = client.post(BASE, json=body, headers=bob.headers)

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_input"
    assert response.json()["error"]["message"].startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", BASE),
        ("GET", BASE),
        ("GET", f"{BASE}/abc"),
        ("POST", f"{BASE}/abc/end"),
        ("GET", f"{BASE}/abc/conversations"),
        ("GET", f"{BASE}/abc/corrections"),
    ],
)
def test_every_route_needs_a_login(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_the_list_is_the_callers_sessions_newest_first(
    client: TestClient, alice: Account, bob: Account
) -> None:
    first = start(client, bob)
    second = start(client, bob, topic="travel")
    start(client, alice)

    listed = client.get(BASE, headers=bob.headers).json()
    limited = client.get(BASE, params={"limit": 1}, headers=bob.headers).json()

    assert {s["id"] for s in listed} == {first["id"], second["id"]}
    assert listed[0]["started_at"] >= listed[1]["started_at"]
    assert len(limited) == 1
    assert client.get(BASE, params={"limit": 0}, headers=bob.headers).status_code == 422


def test_a_session_reads_with_its_messages_and_corrections(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    session_id = str(start(client, bob)["id"])
    add_message(web.db, session_id, "Hello! What did you do yesterday?", role="assistant", kind="opening")
    add_message(web.db, session_id, DOG, fixes=DOG_FIXES)

    detail = client.get(f"{BASE}/{session_id}", headers=bob.headers).json()
    messages = client.get(f"{BASE}/{session_id}/conversations", headers=bob.headers).json()
    corrections = client.get(f"{BASE}/{session_id}/corrections", headers=bob.headers).json()

    assert detail["id"] == session_id
    assert [m["role"] for m in detail["conversations"]] == ["assistant", "user"]
    assert [m["seq"] for m in messages] == [1, 2]
    assert {
        "id",
        "session_id",
        "role",
        "content",
        "kind",
        "audio_url",
        "video_url",
        "video_state",
        "timestamp",
        "corrections",
    } <= set(messages[0])
    assert [c["original_text"] for c in messages[1]["corrections"]] == ["go", "see", "an dog"]
    assert [c["corrected_text"] for c in corrections] == ["went", "saw", "a dog"]
    assert detail["corrections"] == corrections


def test_ending_answers_the_session_with_its_scores(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    session_id = str(start(client, bob)["id"])
    add_message(web.db, session_id, DOG, fixes=DOG_FIXES)

    response = client.post(f"{BASE}/{session_id}/end", headers=bob.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["ended_at"] is not None
    assert body["duration"] >= 0
    assert body["scores"] == {"grammar": 31.8, "vocabulary": 100.0, "pronunciation": None}
    progress = client.get(f"/api/progress/{bob.user_id}", headers=bob.headers).json()
    assert (progress["total_sessions"], progress["total_corrections"], progress["grammar_score"]) == (
        1,
        3,
        31.8,
    )


def test_ending_twice_answers_400(client: TestClient, bob: Account) -> None:
    session_id = start(client, bob)["id"]
    client.post(f"{BASE}/{session_id}/end", headers=bob.headers)

    again = client.post(f"{BASE}/{session_id}/end", headers=bob.headers)

    assert again.status_code == 400
    assert again.json()["error"] == {
        "type": "invalid_input",
        "message": "session already ended",
        "details": {},
    }


@pytest.mark.parametrize("suffix", ["", "/conversations", "/corrections", "/end"])
def test_another_users_session_answers_404_like_a_missing_one(
    client: TestClient, alice: Account, bob: Account, suffix: str
) -> None:
    session_id = start(client, bob)["id"]
    method = "POST" if suffix == "/end" else "GET"

    foreign = client.request(method, f"{BASE}/{session_id}{suffix}", headers=alice.headers)
    missing = client.request(method, f"{BASE}/nope{suffix}", headers=alice.headers)

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["error"]["message"] == f"no tutor session {session_id}"
    assert missing.json()["error"]["message"] == "no tutor session nope"
    assert client.get(f"{BASE}/{session_id}", headers=bob.headers).json()["ended_at"] is None
