"""Every path the original tutor documents (``shared/seeds/videoengai-tutor.md``, API Routes) answers
in Framecast with the shape its clients read, walked through as a seed client would: one learner, a
bearer token, a session with one typed turn, its end, progress, and a real-time avatar session.

Tavus is faked at the transport (``app.state.tavus_transport``), everything else is offline.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from tests.web.conftest import PASSWORD, Account

# The seed's model fields (reference: UserResponse, SessionResponse, ProgressResponse, ...).
USER = {"id", "email", "name", "created_at"}
SESSION = {"id", "user_id", "started_at", "ended_at", "duration", "conversations", "corrections"}
MESSAGE = {"id", "session_id", "role", "content", "audio_url", "video_url", "timestamp"}
CORRECTION = {"id", "correction_type", "original_text", "corrected_text", "explanation", "severity"}
PROGRESS = {
    "user_id",
    "total_sessions",
    "total_duration",
    "total_corrections",
    "grammar_score",
    "pronunciation_score",
    "vocabulary_score",
    "last_session_date",
}
SENTENCE = "Yesterday I go to the park and I see an dog."


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_TAVUS__API_KEY", "tavus-test-key")
    monkeypatch.setenv("FRAMECAST_TAVUS__PERSONA_ID", "p-teacher")
    monkeypatch.setenv("FRAMECAST_TUTOR__AVATAR", "none")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def tavus(app: FastAPI) -> list[str]:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path == "/v2/conversations":
            return httpx.Response(
                200, json={"conversation_id": "c1", "conversation_url": "https://t.daily.co/c1"}
            )
        return httpx.Response(200, json={})

    app.state.tavus_transport = httpx.MockTransport(answer)
    return calls


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def keys(value: Any) -> set[str]:
    assert isinstance(value, dict), value
    return set(value)


def test_users_me_is_the_callers_account_and_not_a_user_id(client: TestClient, bob: Account) -> None:
    mine = ok(client.get("/api/users/me", headers=bob.headers))

    assert mine == ok(client.get("/api/me", headers=bob.headers))
    assert mine["email"] == bob.email
    assert keys(mine) >= {"id", "email", "name", "is_admin", "preferences"}
    assert client.get("/api/users/me").status_code == 401
    # Ids still reach /api/users/{user_id}.
    assert ok(client.get(f"/api/users/{bob.user_id}", headers=bob.headers))["id"] == bob.user_id


def test_every_path_of_the_seed_answers_in_its_documented_shape(
    client: TestClient, alice: Account, tavus: list[str]
) -> None:
    # /api/users/*: the seed's registration path (trailing slash), an administrator's action here.
    created = ok(
        client.post(
            "/api/users/",
            json={"email": "learner@example.com", "name": "Learner", "password": PASSWORD},
            headers=alice.headers,
            follow_redirects=False,
        ),
        201,
    )
    assert keys(created) >= USER
    token = ok(client.post("/api/auth/login", json={"email": "learner@example.com", "password": PASSWORD}))
    learner = {"Authorization": f"Bearer {token['access_token']}"}
    user_id = created["id"]
    assert keys(ok(client.get(f"/api/users/{user_id}", headers=learner))) >= USER

    # /api/conversations/sessions/*, with the seed's body {user_id}.
    session = ok(client.post("/api/conversations/sessions", json={"user_id": user_id}, headers=learner), 201)
    assert keys(session) >= SESSION
    session_id = session["id"]

    # /ws/conversation/{session_id}: the greeting, then one typed turn in the seed's messages.
    with client.websocket_connect(f"/ws/conversation/{session_id}?token={token['access_token']}") as ws:
        greeting = json.loads(ws.receive_text())
        ws.send_text(json.dumps({"type": "text", "data": {"text": SENTENCE}}))
        seen = [json.loads(ws.receive_text()) for _ in range(3)]
        ws.send_text(json.dumps({"type": "control", "data": {"command": "stop"}}))
    assert greeting["type"] == "response"
    assert keys(greeting["data"]) >= {"text", "audio", "video_url"}
    transcription, correction, response = seen
    assert (transcription["type"], transcription["data"]["text"]) == ("transcription", SENTENCE)
    assert correction["type"] == "correction"
    assert keys(correction["data"]) >= {"has_errors", "corrections", "better_expression", "feedback"}
    assert correction["data"]["has_errors"] is True
    assert response["type"] == "response"
    assert keys(response["data"]) >= {"text", "audio", "video_url"}

    detail = ok(client.get(f"/api/conversations/sessions/{session_id}", headers=learner))
    assert keys(detail) >= SESSION
    messages = ok(client.get(f"/api/conversations/sessions/{session_id}/conversations", headers=learner))
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant"]
    assert all(keys(m) >= MESSAGE for m in messages)
    corrections = ok(client.get(f"/api/conversations/sessions/{session_id}/corrections", headers=learner))
    assert corrections
    assert all(keys(c) >= CORRECTION for c in corrections)
    ended = ok(client.post(f"/api/conversations/sessions/{session_id}/end", headers=learner))
    assert ended["ended_at"] is not None
    assert isinstance(ended["duration"], int)

    # /api/users/{user_id}/sessions?limit=10: newest first, with messages and corrections.
    [listed] = ok(client.get(f"/api/users/{user_id}/sessions?limit=10", headers=learner))
    assert keys(listed) >= SESSION
    assert len(listed["conversations"]) == 3

    # /api/progress/{user_id}/*
    progress = ok(client.get(f"/api/progress/{user_id}", headers=learner))
    assert keys(progress) >= PROGRESS
    assert progress["total_sessions"] == 1
    stats = ok(client.get(f"/api/progress/{user_id}/stats", headers=learner))
    assert keys(stats) >= {"progress", "correction_stats", "recent_sessions", "average_session_duration"}
    weaknesses = ok(client.get(f"/api/progress/{user_id}/weaknesses", headers=learner))
    assert keys(weaknesses) >= {
        "weakness_areas",
        "common_mistakes",
        "recent_corrections",
        "improvement_suggestions",
    }

    # /api/avatar-sessions/create and /api/avatar-sessions/tavus/{conversation_id}
    live = ok(client.post("/api/avatar-sessions/create", json={"user_id": user_id}, headers=learner))
    assert live == {"session_id": "c1", "room_url": "https://t.daily.co/c1", "provider": "tavus"}
    gone = ok(client.delete("/api/avatar-sessions/tavus/c1", headers=learner))
    assert gone["success"] is True
    assert isinstance(gone["message"], str)
    assert tavus == ["POST /v2/conversations", "POST /v2/conversations/c1/end"]


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_the_seeds_api_documentation_paths_answer(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    if path == "/openapi.json":
        documented = response.json()["paths"]
        assert {"/api/users/me", "/api/conversations/sessions", "/api/avatar-sessions/create"} <= set(
            documented
        )
