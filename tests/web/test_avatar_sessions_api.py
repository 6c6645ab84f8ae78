"""``/api/avatar-sessions``: Tavus conversations opened and ended for their owner only.

Tavus is faked at the transport: ``app.state.tavus_transport`` holds an ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from framecast.core.settings import Settings, get_settings
from framecast.db.tutor import AvatarSession
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE
from framecast.web.security.sessions import create_web_session
from tests.web.conftest import Account

CREATED = {
    "conversation_id": "c123",
    "conversation_name": "English Correction Session",
    "status": "active",
    "conversation_url": "https://tavus.daily.co/c123",
}


class FakeTavus:
    """Records every request; ``answers`` maps ``METHOD path`` to a response maker."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: dict[str, Callable[[], httpx.Response]] = {
            "POST /v2/conversations": lambda: httpx.Response(200, json=CREATED),
            "POST /v2/conversations/c123/end": lambda: httpx.Response(200, json={}),
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.get(f"{request.method} {request.url.path}")
        return answer() if answer else httpx.Response(404, json={"message": "not found"})

    def calls(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_TAVUS__API_KEY", "tavus-test-key")
    monkeypatch.setenv("FRAMECAST_TAVUS__PERSONA_ID", "p-teacher")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def tavus(app: FastAPI) -> FakeTavus:
    fake = FakeTavus()
    app.state.tavus_transport = httpx.MockTransport(fake)
    return fake


def open_session(client: TestClient, account: Account) -> str:
    response = client.post("/api/avatar-sessions/create", json={}, headers=account.headers)
    assert response.status_code == 200, response.text
    session_id: str = response.json()["session_id"]
    return session_id


def stored(web: WebContext) -> list[AvatarSession]:
    with web.db.session() as session:
        rows = list(session.scalars(select(AvatarSession)))
        session.expunge_all()
        return rows


# -- create -----------------------------------------------------------------------------------------


def test_creating_opens_a_tavus_conversation_and_stores_it(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account
) -> None:
    response = client.post("/api/avatar-sessions/create", json={"user_id": bob.user_id}, headers=bob.headers)

    assert response.status_code == 200
    assert response.json() == {
        "session_id": "c123",
        "room_url": "https://tavus.daily.co/c123",
        "provider": "tavus",
    }
    (sent,) = tavus.requests
    assert str(sent.url) == "https://tavusapi.com/v2/conversations"
    assert sent.headers["x-api-key"] == "tavus-test-key"
    body = json.loads(sent.content)
    assert set(body) == {
        "persona_id",
        "conversation_name",
        "conversational_context",
        "custom_greeting",
        "audio_only",
        "properties",
    }
    assert (body["persona_id"], body["conversation_name"], body["audio_only"]) == (
        "p-teacher",
        "English Correction Session",
        False,
    )
    assert body["custom_greeting"].startswith("Hi Bob!")
    assert "Correct every mistake" in body["conversational_context"]
    assert body["properties"] == {
        "max_call_duration": 600,
        "participant_left_timeout": 60,
        "participant_absent_timeout": 300,
        "enable_recording": False,
        "enable_closed_captions": True,
        "language": "english",
    }
    (row,) = stored(web)
    assert (row.user_id, row.provider, row.conversation_id, row.room_url, row.ended_at) == (
        bob.user_id,
        "tavus",
        "c123",
        "https://tavus.daily.co/c123",
        None,
    )


def test_creating_for_someone_else_is_forbidden(
    client: TestClient, tavus: FakeTavus, alice: Account, bob: Account
) -> None:
    response = client.post(
        "/api/avatar-sessions/create", json={"user_id": bob.user_id}, headers=alice.headers
    )

    assert response.status_code == 403
    assert tavus.requests == []


def test_without_a_tavus_key_the_answer_says_what_to_set(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web.settings.tavus, "api_key", None)

    response = client.post("/api/avatar-sessions/create", headers=bob.headers)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "configuration",
        # Only what is missing: the persona is set.
        "message": "real-time mode needs Tavus settings: set FRAMECAST_TAVUS__API_KEY",
        "details": {},
    }
    assert tavus.requests == []


def test_the_concurrent_conversation_limit_is_explained(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account
) -> None:
    tavus.answers["POST /v2/conversations"] = lambda: httpx.Response(
        400, json={"message": "User has reached maximum concurrent conversations"}
    )

    response = client.post("/api/avatar-sessions/create", headers=bob.headers)

    assert response.status_code == 502
    error = response.json()["error"]
    assert "maximum of concurrent conversations" in error["message"]
    assert "End an active conversation and try again" in error["message"]
    assert error["details"] == {"provider": "tavus", "category": "rate_limit"}
    assert stored(web) == []


def test_a_conversation_without_a_room_is_ended_at_once(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account
) -> None:
    tavus.answers["POST /v2/conversations"] = lambda: httpx.Response(200, json={"conversation_id": "c123"})

    response = client.post("/api/avatar-sessions/create", headers=bob.headers)

    assert response.status_code == 502
    assert "without a room URL" in response.json()["error"]["message"]
    assert tavus.calls() == ["POST /v2/conversations", "POST /v2/conversations/c123/end"]
    assert stored(web) == []


# -- end --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_ending_ends_the_call_at_tavus_once(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account, method: str
) -> None:
    conversation_id = open_session(client, bob)

    first = client.request(method, f"/api/avatar-sessions/tavus/{conversation_id}", headers=bob.headers)
    again = client.request(method, f"/api/avatar-sessions/tavus/{conversation_id}", headers=bob.headers)

    assert first.status_code == again.status_code == 200
    assert first.json() == {"success": True, "message": "conversation c123 ended"}
    assert tavus.calls() == ["POST /v2/conversations", "POST /v2/conversations/c123/end"]
    assert tavus.requests[1].headers["x-api-key"] == "tavus-test-key"
    (row,) = stored(web)
    assert row.ended_at is not None


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"message": "Conversation not found"}),
        httpx.Response(400, json={"message": "Conversation has already ended"}),
    ],
)
def test_a_conversation_tavus_already_ended_ends_successfully(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account, answer: httpx.Response
) -> None:
    conversation_id = open_session(client, bob)
    tavus.answers["POST /v2/conversations/c123/end"] = lambda: answer

    response = client.delete(f"/api/avatar-sessions/tavus/{conversation_id}", headers=bob.headers)

    assert response.status_code == 200
    assert stored(web)[0].ended_at is not None


def test_a_failed_end_is_reported_and_can_be_retried(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account
) -> None:
    conversation_id = open_session(client, bob)
    tavus.answers["POST /v2/conversations/c123/end"] = lambda: httpx.Response(500, json={"message": "boom"})

    failed = client.delete(f"/api/avatar-sessions/tavus/{conversation_id}", headers=bob.headers)

    assert failed.status_code == 502
    assert stored(web)[0].ended_at is None
    tavus.answers["POST /v2/conversations/c123/end"] = lambda: httpx.Response(200, json={})
    assert (
        client.delete(f"/api/avatar-sessions/tavus/{conversation_id}", headers=bob.headers).status_code == 200
    )


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_another_users_conversation_answers_404_like_an_unknown_one(
    client: TestClient, tavus: FakeTavus, alice: Account, bob: Account, method: str
) -> None:
    conversation_id = open_session(client, bob)

    foreign = client.request(method, f"/api/avatar-sessions/tavus/{conversation_id}", headers=alice.headers)
    unknown = client.request(method, "/api/avatar-sessions/tavus/c999", headers=alice.headers)

    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json()["error"]["message"] == "no avatar session c123"
    assert unknown.json()["error"]["message"] == "no avatar session c999"
    assert tavus.calls() == ["POST /v2/conversations"]


def test_a_browser_beacon_ends_with_the_csrf_token_as_a_form_field(
    client: TestClient, web: WebContext, tavus: FakeTavus, bob: Account
) -> None:
    conversation_id = open_session(client, bob)
    cookie, csrf = create_web_session(web.db, bob.user_id, days=1)
    client.cookies.set(SESSION_COOKIE, cookie)
    path = f"/api/avatar-sessions/tavus/{conversation_id}"

    without = client.post(path)
    in_query = client.post(path, params={"csrf_token": csrf})
    as_field = client.post(path, data={"csrf_token": csrf})

    assert (without.status_code, in_query.status_code, as_field.status_code) == (403, 403, 200)
    assert tavus.calls() == ["POST /v2/conversations", "POST /v2/conversations/c123/end"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/avatar-sessions/create"),
        ("DELETE", "/api/avatar-sessions/tavus/c123"),
        ("POST", "/api/avatar-sessions/tavus/c123"),
    ],
)
def test_avatar_sessions_need_a_login(client: TestClient, tavus: FakeTavus, method: str, path: str) -> None:
    assert client.request(method, path).status_code == 401
    assert tavus.requests == []
