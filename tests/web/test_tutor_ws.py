"""The conversation socket end to end on the offline providers: the issue's acceptance, bad input,
resends, history from the database, and the media routes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from framecast.core.settings import Settings
from framecast.db.tutor import Conversation, Correction
from framecast.providers.offline.stt import word_error_rate
from framecast.web.app import create_app
from framecast.web.context import WebContext
from tests.speech_audio import spoken_b64
from tests.web.conftest import Account, make_account

SENTENCE = "Yesterday I go to the park and I see an dog."


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.receive_text())
    return message


def receive_until(
    ws: WebSocketTestSession, kind: str, **match: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Messages up to and including the first of ``kind`` whose data matches ``match``."""
    seen: list[dict[str, Any]] = []
    for _ in range(50):
        message = receive(ws)
        seen.append(message)
        if message["type"] == kind and all(message["data"].get(k) == v for k, v in match.items()):
            return message, seen
    raise AssertionError(f"no {kind} message among {[m['type'] for m in seen]}")


def new_session(client: TestClient, account: Account, **body: Any) -> str:
    response = client.post("/api/conversations/sessions", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    session_id: str = response.json()["id"]
    return session_id


def connect(client: TestClient, account: Account, session_id: str) -> Any:
    return client.websocket_connect(f"/ws/conversation/{session_id}?token={account.token}")


@pytest.fixture
def quiet_app(settings: Settings) -> FastAPI:
    """No avatar video: most tests here are about the conversation, and rendering costs seconds."""
    tutor = settings.tutor.model_copy(update={"avatar": "none"})
    return create_app(settings.model_copy(update={"tutor": tutor}), embedded_worker=False)


@pytest.fixture
def quiet(quiet_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(quiet_app) as test_client:
        yield test_client


@pytest.fixture
def carol(quiet_app: FastAPI) -> Account:
    return make_account(quiet_app.state.web, "carol@example.com", name="Carol")


@pytest.fixture
def dave(quiet_app: FastAPI) -> Account:
    return make_account(quiet_app.state.web, "dave@example.com", name="Dave")


def test_acceptance_text_turn_with_correction_audio_and_video(
    client: TestClient, bob: Account, web: WebContext
) -> None:
    session_id = new_session(client, bob)
    with connect(client, bob, session_id) as ws:
        opening = receive(ws)
        assert opening["type"] == "response"
        assert opening["data"]["text"]
        ws.send_text(json.dumps({"type": "text", "data": {"text": SENTENCE}}))
        transcription, _ = receive_until(ws, "transcription")
        assert transcription["data"]["text"] == SENTENCE
        correction, _ = receive_until(ws, "correction")
        fixes = {(c["original"], c["corrected"]) for c in correction["data"]["corrections"]}
        assert {("go", "went"), ("see", "saw"), ("an dog", "a dog")} <= fixes
        assert correction["data"]["has_errors"] is True
        assert correction["data"]["better_expression"] == "Yesterday I went to the park and I saw a dog."
        assert all(
            c["type"] in ("grammar", "vocabulary", "pronunciation") for c in correction["data"]["corrections"]
        )
        response, _ = receive_until(ws, "response")
        assert response["data"]["text"]
        assert response["data"]["video_url"] is None
        audio = base64.b64decode(response["data"]["audio"])
        assert audio[:3] == b"ID3" or audio[0] == 0xFF  # MP3
        update, _ = receive_until(ws, "video_update", message_id=response["data"]["message_id"])
        assert update["data"]["text"] == response["data"]["text"]
        video = client.get(update["data"]["video_url"], headers=bob.headers)
        assert video.status_code == 200
        assert video.headers["content-type"] == "video/mp4"
        assert video.content[4:8] == b"ftyp"
        spoken = client.get(response["data"]["audio_url"], headers=bob.headers)
        assert spoken.status_code == 200
        assert spoken.content == audio
        ws.send_text(json.dumps({"type": "control", "data": {"command": "stop"}}))
    with web.db.session() as session:
        rows = session.scalars(
            select(Conversation).where(Conversation.session_id == session_id).order_by(Conversation.seq)
        ).all()
        assert [r.role for r in rows] == ["assistant", "user", "assistant"]
        assert rows[1].content == SENTENCE
        assert rows[2].video_state == "ready"
        stored = session.scalars(select(Correction).where(Correction.conversation_id == rows[1].id)).all()
        assert len(stored) == len(correction["data"]["corrections"])
    ended = client.post(f"/api/conversations/sessions/{session_id}/end", headers=bob.headers)
    assert ended.status_code == 200, ended.text
    progress = client.get(f"/api/progress/{bob.user_id}", headers=bob.headers).json()
    assert progress["grammar_score"] > 0
    assert progress["vocabulary_score"] > 0
    assert progress["total_sessions"] == 1
    assert progress["total_corrections"] >= 3


def test_spoken_turn_is_transcribed_and_scored(quiet: TestClient, carol: Account, quiet_app: FastAPI) -> None:
    sentence = "Yesterday I went to the park and I saw a dog."
    audio = spoken_b64(sentence)
    session_id = new_session(quiet, carol)
    with connect(quiet, carol, session_id) as ws:
        receive_until(ws, "response")
        ws.send_text(json.dumps({"type": "audio", "data": {"audio": audio, "mime": "audio/wav"}}))
        transcription, _ = receive_until(ws, "transcription")
        assert word_error_rate(sentence, transcription["data"]["text"]) <= 0.34
        receive_until(ws, "correction")
        response, _ = receive_until(ws, "response")
        assert response["data"]["audio"]
    web: WebContext = quiet_app.state.web
    with web.db.session() as session:
        spoken = session.scalar(
            select(Conversation).where(Conversation.session_id == session_id, Conversation.role == "user")
        )
        assert spoken is not None
        assert spoken.kind == "audio"
        assert spoken.word_scores
        assert all(0.0 <= w["score"] <= 1.0 for w in spoken.word_scores)
        assert spoken.audio_path is not None
        assert spoken.audio_path.endswith("-input.wav")
        recording_url = spoken.audio_url
    recording = quiet.get(recording_url, headers=carol.headers)
    assert recording.headers["content-type"] == "audio/wav"
    assert recording.content == base64.b64decode(audio)
    ended = quiet.post(f"/api/conversations/sessions/{session_id}/end", headers=carol.headers).json()
    assert ended["scores"]["pronunciation"] is not None
    assert ended["scores"]["pronunciation"] > 0


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("this is not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "dance", "data": {}}', "unknown message type 'dance'"),
        ('{"type": "text", "data": {"text": "   "}}', "empty"),
        ('{"type": "text", "data": []}', "must be a JSON object"),
        ('{"type": "audio", "data": {"audio": "###"}}', "not valid base64"),
        ('{"type": "audio", "data": {}}', "no audio"),
        ('{"type": "control", "data": {"command": "dance"}}', "unknown control command"),
    ],
)
def test_bad_messages_get_an_error_and_the_socket_stays_usable(
    quiet: TestClient, carol: Account, raw: str, problem: str
) -> None:
    session_id = new_session(quiet, carol)
    with connect(quiet, carol, session_id) as ws:
        receive_until(ws, "response")
        ws.send_text(raw)
        answer = receive(ws)
        assert answer["type"] == "error"
        assert problem in answer["data"]["message"]
        ws.send_text(json.dumps({"type": "text", "data": {"text": "I like tea."}}))
        receive_until(ws, "response")


def test_audio_that_does_not_decode_or_is_too_big(
    quiet: TestClient, carol: Account, quiet_app: FastAPI
) -> None:
    session_id = new_session(quiet, carol)
    web: WebContext = quiet_app.state.web
    limit = web.settings.tutor.max_audio_bytes
    with connect(quiet, carol, session_id) as ws:
        receive_until(ws, "response")
        junk = base64.b64encode(b"this is not audio at all" * 10).decode()
        ws.send_text(json.dumps({"type": "audio", "data": {"audio": junk}}))
        answer = receive(ws)
        assert answer["type"] == "error"
        assert "audio" in answer["data"]["message"]
        big = base64.b64encode(b"\0" * (limit + 100)).decode()
        ws.send_text(json.dumps({"type": "audio", "data": {"audio": big}}))
        answer = receive(ws)
        assert answer["type"] == "error"
        assert f"limit is {limit}" in answer["data"]["message"]
        ws.send_text(json.dumps({"type": "text", "data": {"text": "I am fine."}}))
        receive_until(ws, "response")
    with web.db.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Conversation).where(Conversation.role == "user"))
            == 1
        )


def test_another_users_session_is_refused_on_every_message(
    quiet: TestClient, carol: Account, dave: Account
) -> None:
    session_id = new_session(quiet, carol)
    with connect(quiet, dave, session_id) as ws:
        first = receive(ws)
        assert first["type"] == "error"
        assert "not yours" in first["data"]["message"]
        ws.send_text(json.dumps({"type": "text", "data": {"text": "Hello there."}}))
        again = receive(ws)
        assert again["type"] == "error"
        assert session_id in again["data"]["message"]
        ws.send_text(json.dumps({"type": "control", "data": {"command": "stop"}}))
    history = quiet.get(
        f"/api/conversations/sessions/{session_id}/conversations", headers=carol.headers
    ).json()
    assert all(m["role"] == "assistant" for m in history)


def test_without_credentials_the_socket_is_closed(quiet: TestClient, carol: Account) -> None:
    session_id = new_session(quiet, carol)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        quiet.websocket_connect(f"/ws/conversation/{session_id}") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4401


def test_cookie_from_another_site_is_not_accepted(quiet: TestClient, carol: Account) -> None:
    session_id = new_session(quiet, carol)
    login = quiet.post(
        "/login",
        data={"email": carol.email, "password": "correct horse battery staple"},
        follow_redirects=False,
    )
    assert "framecast_session" in login.cookies or quiet.cookies.get("framecast_session")
    with (
        pytest.raises(WebSocketDisconnect),
        quiet.websocket_connect(
            f"/ws/conversation/{session_id}", headers={"origin": "https://evil.example"}
        ) as ws,
    ):
        ws.receive_text()
    with quiet.websocket_connect(
        f"/ws/conversation/{session_id}", headers={"origin": "http://testserver"}
    ) as ws:
        assert receive(ws)["type"] == "response"


def test_a_resent_message_is_answered_once(quiet: TestClient, carol: Account, quiet_app: FastAPI) -> None:
    session_id = new_session(quiet, carol)
    turn = json.dumps({"type": "text", "data": {"text": "She go to school every day.", "client_id": "m-1"}})
    with connect(quiet, carol, session_id) as ws:
        receive_until(ws, "response")
        ws.send_text(turn)
        first, _ = receive_until(ws, "response")
    with connect(quiet, carol, session_id) as ws:  # a reconnect: no new greeting, the same answer
        ws.send_text(turn)
        _, seen = receive_until(ws, "response")
        assert [m["type"] for m in seen] == ["transcription", "correction", "response"]
        assert seen[-1]["data"]["message_id"] == first["data"]["message_id"]
        assert seen[-1]["data"]["text"] == first["data"]["text"]
        assert seen[-1]["data"]["audio"]
    web: WebContext = quiet_app.state.web
    with web.db.session() as session:
        roles = session.scalars(
            select(Conversation.role).where(Conversation.session_id == session_id).order_by(Conversation.seq)
        ).all()
        assert roles == ["assistant", "user", "assistant"]
        assert session.scalar(select(func.count()).select_from(Correction)) >= 1


def test_history_survives_a_restart_and_holds_each_turn_once(settings: Settings, tmp_path: Any) -> None:
    quiet_settings = settings.model_copy(
        update={"tutor": settings.tutor.model_copy(update={"avatar": "none"})}
    )
    first_app = create_app(quiet_settings, embedded_worker=False)
    account = make_account(first_app.state.web, "erin@example.com", name="Erin")
    with TestClient(first_app) as client:
        session_id = new_session(client, account)
        with connect(client, account, session_id) as ws:
            receive_until(ws, "response")
            ws.send_text(json.dumps({"type": "text", "data": {"text": "I like coffee."}}))
            receive_until(ws, "response")
    second_app = create_app(quiet_settings, embedded_worker=False)  # a restart: same database
    seen_history: list[list[tuple[str, str]]] = []
    brain = second_app.state.web.tutor.services.brain
    original_reply = brain.reply

    async def spy(history: Any, analysis: Any, lesson: Any) -> str:
        seen_history.append([(m.role, m.content) for m in history])
        reply: str = await original_reply(history, analysis, lesson)
        return reply

    brain.reply = spy
    with TestClient(second_app) as client, connect(client, account, session_id) as ws:
        ws.send_text(json.dumps({"type": "text", "data": {"text": "I drink tea too."}}))
        receive_until(ws, "response")
    assert len(seen_history) == 1
    roles = [role for role, _ in seen_history[0]]
    assert roles == ["assistant", "user", "assistant", "user"]
    assert [content for role, content in seen_history[0] if role == "user"] == [
        "I like coffee.",
        "I drink tea too.",
    ]


def test_an_ended_session_refuses_new_turns(quiet: TestClient, carol: Account) -> None:
    session_id = new_session(quiet, carol)
    assert (
        quiet.post(f"/api/conversations/sessions/{session_id}/end", headers=carol.headers).status_code == 200
    )
    with connect(quiet, carol, session_id) as ws:
        assert "ended" in receive(ws)["data"]["message"]
        ws.send_text(json.dumps({"type": "text", "data": {"text": "Hello."}}))
        assert receive(ws)["type"] == "error"


def test_media_of_another_user_is_not_found(quiet: TestClient, carol: Account, dave: Account) -> None:
    session_id = new_session(quiet, carol)
    with connect(quiet, carol, session_id) as ws:
        opening, _ = receive_until(ws, "response")
    url = opening["data"]["audio_url"]
    assert quiet.get(url, headers=carol.headers).status_code == 200
    assert quiet.get(url, headers=dave.headers).status_code == 404
    assert quiet.get(url).status_code == 401
    missing = quiet.get(f"/api/tutor/messages/{opening['data']['message_id']}/video", headers=carol.headers)
    assert missing.status_code == 404
    assert "no video" in missing.json()["error"]["message"]


def test_a_turn_cut_short_by_a_crash_is_finished_when_the_client_resends(
    quiet: TestClient, carol: Account, quiet_app: FastAPI
) -> None:
    from framecast.tutor import store

    web: WebContext = quiet_app.state.web
    session_id = new_session(quiet, carol)
    with connect(quiet, carol, session_id) as ws:
        receive_until(ws, "response")
    # The server stored the message, then died before analysing it.
    stored = store.append_message(
        web.db, session_id, role="user", content="He go to work by bus.", kind="text", client_id="crash-1"
    )
    with connect(quiet, carol, session_id) as ws:
        ws.send_text(
            json.dumps({"type": "text", "data": {"text": "He go to work by bus.", "client_id": "crash-1"}})
        )
        _, seen = receive_until(ws, "response")
    assert [m["type"] for m in seen] == ["transcription", "correction", "response"]
    assert seen[0]["data"]["message_id"] == stored.id
    assert ("go", "goes") in {(c["original"], c["corrected"]) for c in seen[1]["data"]["corrections"]}
    with web.db.session() as session:
        rows = session.scalars(
            select(Conversation).where(Conversation.session_id == session_id).order_by(Conversation.seq)
        ).all()
        assert [r.role for r in rows] == ["assistant", "user", "assistant"]
        assert rows[1].reply_id == rows[2].id


class SilentVoice:
    """A text-to-speech provider whose service is down."""

    name = "down"

    async def synthesize(self, text: str, *, voice: str | None = None, audio_format: str = "mp3") -> Any:
        from framecast.core.errors import RefusedError

        raise RefusedError("the speech service is down (503)", provider="down")


def test_a_reply_that_cannot_be_spoken_is_still_stored_and_sent(settings: Settings) -> None:
    from dataclasses import replace

    from framecast.tutor.services import build_services

    services = replace(build_services(settings), tts=SilentVoice())
    app = create_app(settings, embedded_worker=False, tutor_services=services)
    account = make_account(app.state.web, "frank@example.com", name="Frank")
    with TestClient(app) as client:
        session_id = new_session(client, account)
        with connect(client, account, session_id) as ws:
            greeting = receive(ws)
            assert greeting["type"] == "response"
            assert greeting["data"]["audio"] is None
            assert "could not be spoken" in receive(ws)["data"]["message"]
            ws.send_text(json.dumps({"type": "text", "data": {"text": "I like tea."}}))
            response, _ = receive_until(ws, "response")
            assert response["data"]["text"]
            assert response["data"]["audio"] is None
            assert response["data"]["audio_url"] is None
    web: WebContext = app.state.web
    with web.db.session() as session:
        rows = session.scalars(
            select(Conversation).where(Conversation.session_id == session_id).order_by(Conversation.seq)
        ).all()
        assert [r.role for r in rows] == ["assistant", "user", "assistant"]
        assert rows[2].content == response["data"]["text"]
        assert rows[2].video_state is None  # nothing for the avatar to say


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"text": "I like\u0000 tea."}, "text: contains a NUL character"),
        ({"text": "I like \ud800 tea."}, "text: contains an unpaired surrogate"),
        ({"text": "I like tea.", "client_id": "c\u00001"}, "client_id: contains a NUL character"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_naming_the_field(
    quiet: TestClient, carol: Account, quiet_app: FastAPI, data: dict[str, str], problem: str
) -> None:
    session_id = new_session(quiet, carol)
    with connect(quiet, carol, session_id) as ws:
        receive_until(ws, "response")
        ws.send_text(json.dumps({"type": "text", "data": data}))  # escaped: \u0000, \ud800
        answer = receive(ws)
        ws.send_text(json.dumps({"type": "audio", "data": {"audio": "AAAA", "mime": "audio/\u0000webm"}}))
        mime = receive(ws)
        ws.send_text(json.dumps({"type": "\ud800" * 100, "data": {}}))
        echoed = receive(ws)
        ws.send_text(json.dumps({"type": "text", "data": {"text": "I like tea."}}))
        receive_until(ws, "response")

    assert answer["type"] == "error"
    assert problem in answer["data"]["message"]
    assert "mime: contains a NUL character" in mime["data"]["message"]
    assert "unknown message type '\\ud800\\ud800" in echoed["data"]["message"]  # escaped, cut short
    assert len(echoed["data"]["message"]) < 200
    web: WebContext = quiet_app.state.web
    with web.db.session() as session:
        contents = session.scalars(
            select(Conversation.content).where(
                Conversation.session_id == session_id, Conversation.role == "user"
            )
        ).all()
    assert contents == ["I like tea."]
