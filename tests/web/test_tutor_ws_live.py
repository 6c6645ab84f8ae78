"""The conversation socket over a real server, where the security review saw each problem: uvicorn in
a thread with the WebSocket options ``framecast serve`` passes, or ``framecast serve`` itself, and a
``websockets`` client."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import func, select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from framecast.core.settings import Settings, TutorSettings
from framecast.db.tutor import Conversation
from framecast.providers.base import MediaItem, SpeechAudio
from framecast.providers.offline.audio import pcm_to_wav
from framecast.tutor.recordings import max_message_bytes
from framecast.tutor.services import build_services
from framecast.web.app import create_app
from framecast.web.context import WebContext
from tests.web.conftest import Account, make_account
from tests.web.tutor_live import (
    b64,
    framecast_serve,
    open_socket,
    receive,
    receive_until,
    send,
    serve_process,
    serving,
    spoken_wav,
    with_noise,
)

SDP = b"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=call\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 45679 RTP/AVP 0\n"


def start_session(address: str, account: Account) -> str:
    response = httpx.post(f"http://{address}/api/conversations/sessions", json={}, headers=account.headers)
    assert response.status_code == 201, response.text
    session_id: str = response.json()["id"]
    return session_id


def user_messages(web: WebContext, session_id: str) -> int:
    with web.db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.session_id == session_id, Conversation.role == "user")
        )
        return int(count or 0)


def tutor_settings(settings: Settings, **changes: Any) -> Settings:
    tutor = settings.tutor.model_copy(update={"avatar": "none", **changes})
    return settings.model_copy(update={"tutor": tutor})


# -- framecast serve -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Account]]:
    """``framecast serve`` in a child process (no avatar), and an account on it."""
    data_dir = tmp_path_factory.mktemp("served") / "data"
    database = f"sqlite:///{data_dir / 'framecast.db'}"
    quiet = TutorSettings(warm_up=False, avatar="none")
    app = create_app(  # migrates the database the server will use, and holds the account
        Settings(data_dir=data_dir, database_url=database, environment="test", tutor=quiet),
        embedded_worker=False,
    )
    account = make_account(app.state.web, "served@example.com", name="Served")
    app.state.web.db.dispose()
    env = {
        "FRAMECAST_DATABASE_URL": database,
        "FRAMECAST_ENVIRONMENT": "test",
        "FRAMECAST_TUTOR__WARM_UP": "false",
        "FRAMECAST_TUTOR__AVATAR": "none",
    }
    with framecast_serve(data_dir, env) as address:
        yield address, account


def test_a_socket_without_credentials_is_accepted_then_closed_with_4401(served: tuple[str, Account]) -> None:
    address, account = served
    session_id = start_session(address, account)

    with open_socket(address, session_id) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=30)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    assert "log in" in closed.value.rcvd.reason


def test_a_message_bigger_than_a_recording_needs_is_refused_by_the_server(
    served: tuple[str, Account],
) -> None:
    address, account = served
    session_id = start_session(address, account)
    limit = max_message_bytes(TutorSettings().max_audio_bytes)

    with open_socket(address, session_id, account.token) as ws:
        receive_until(ws, "response")
        with pytest.raises(ConnectionClosed) as closed:
            send_then_receive(ws, json.dumps({"type": "audio", "data": {"audio": "A" * (limit + 1024)}}))
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009  # message too big, refused as its header arrived

    with open_socket(address, session_id, account.token) as ws:  # the largest legitimate message
        send(ws, "audio", audio="A" * (limit - 1024))
        assert "the limit is" in receive(ws)["data"]["message"]
        send(ws, "control", command="ping")
        assert receive(ws)["data"]["command"] == "pong"


def test_deeply_nested_json_gets_an_error_and_the_socket_stays_usable(served: tuple[str, Account]) -> None:
    address, account = served
    session_id = start_session(address, account)

    with open_socket(address, session_id, account.token) as ws:
        receive_until(ws, "response")
        ws.send("[" * 100_000 + "]" * 100_000)
        answer = receive(ws)
        send(ws, "text", text="I like tea.")
        response, _ = receive_until(ws, "response")

    assert answer["type"] == "error"
    assert "nested too deeply" in answer["data"]["message"]
    assert response["data"]["text"]


def test_the_recognition_workers_end_with_the_server(tmp_path: Path) -> None:
    env = {
        "FRAMECAST_ENVIRONMENT": "test",
        "FRAMECAST_TUTOR__WARM_UP": "true",
        "FRAMECAST_TUTOR__AVATAR": "none",
    }
    (tmp_path / "data").mkdir()
    with serve_process(tmp_path / "data", env) as (_, process):
        server = psutil.Process(process.pid)
        workers: list[psutil.Process] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:  # warm-up starts both
            workers = [c for c in server.children() if "spawn_main" in " ".join(c.cmdline())]
            time.sleep(0.1)
        assert len(workers) == 2
    # uvicorn ends on SIGTERM by raising it again, past the interpreter's exit hooks.
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert alive == []
    assert len(gone) == 2


# -- uvicorn in a thread ---------------------------------------------------------------------------


@pytest.fixture
def quiet_settings(settings: Settings) -> Settings:
    return tutor_settings(settings)


def test_sdp_sent_as_a_recording_is_refused_and_binds_no_udp_socket(quiet_settings: Settings) -> None:
    app = create_app(quiet_settings, embedded_worker=False)
    web: WebContext = app.state.web
    account = make_account(web, "sdp@example.com")
    process = psutil.Process()
    peak = [0]
    stop = threading.Event()

    def watch() -> None:  # the server runs in this process: its sockets are ours to count
        while not stop.wait(0.002):
            peak[0] = max(peak[0], len(process.net_connections(kind="udp")))

    with serving(app, quiet_settings) as address:
        session_id = start_session(address, account)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            with open_socket(address, session_id, account.token) as ws:
                receive_until(ws, "response")
                send(ws, "audio", audio=b64(SDP), mime="audio/webm")
                answer = receive(ws)
            phrase = httpx.get(f"http://{address}/api/practice/phrases", headers=account.headers).json()[0]
            practice = httpx.post(
                f"http://{address}/api/practice/attempts",
                json={"phrase_id": phrase["id"], "audio": b64(SDP)},
                headers=account.headers,
            )
        finally:
            stop.set()
            watcher.join()

    assert answer["type"] == "error"
    assert "not a recording: it looks like SDP text" in answer["data"]["message"]
    assert practice.status_code == 400
    assert "not a recording: it looks like SDP text" in practice.json()["error"]["message"]
    assert peak[0] == 0
    assert process.net_connections(kind="udp") == []
    assert user_messages(web, session_id) == 0


def test_a_recording_longer_than_a_turn_is_refused_naming_the_limit(quiet_settings: Settings) -> None:
    app = create_app(quiet_settings, embedded_worker=False)
    account = make_account(app.state.web, "long@example.com")
    long_wav = pcm_to_wav(with_noise(bytes(16000 * 2 * 90)), 16000)  # 90 s of a quiet room

    with serving(app, quiet_settings) as address:
        session_id = start_session(address, account)
        with open_socket(address, session_id, account.token) as ws:
            receive_until(ws, "response")
            send(ws, "audio", audio=b64(long_wav))
            answer = receive(ws)

    assert answer["type"] == "error"
    assert "90 seconds long; the limit is 60 seconds" in answer["data"]["message"]


def test_a_turn_on_a_socket_opened_before_the_session_ended_is_refused(quiet_settings: Settings) -> None:
    app = create_app(quiet_settings, embedded_worker=False)
    web: WebContext = app.state.web
    account = make_account(web, "late@example.com")

    with serving(app, quiet_settings) as address:
        session_id = start_session(address, account)
        with open_socket(address, session_id, account.token) as ws:
            receive_until(ws, "response")
            ended = httpx.post(
                f"http://{address}/api/conversations/sessions/{session_id}/end", headers=account.headers
            )
            assert ended.status_code == 200, ended.text
            send(ws, "text", text="One more thing.", client_id="late-1")
            answer = receive(ws)
            send(ws, "audio", audio=b64(spoken_wav("I like tea.")))
            spoken = receive(ws)

    assert answer["type"] == "error"
    assert f"session {session_id} has ended" in answer["data"]["message"]
    assert spoken["type"] == "error"
    assert "has ended" in spoken["data"]["message"]
    assert user_messages(web, session_id) == 0


def test_turns_over_the_rate_are_refused_with_retry_after_and_not_stored(settings: Settings) -> None:
    limited = tutor_settings(settings, turns_per_minute=3)
    app = create_app(limited, embedded_worker=False)
    web: WebContext = app.state.web
    account = make_account(web, "fast@example.com")

    with serving(app, limited) as address:
        session_id = start_session(address, account)
        with open_socket(address, session_id, account.token) as ws:
            receive_until(ws, "response")
            for n in range(3):
                send(ws, "text", text=f"I have {n + 2} cats.", client_id=f"t-{n}")
                receive_until(ws, "response")
            send(ws, "text", text="I have many cats.", client_id="t-3")
            refused = receive(ws)

    assert refused["type"] == "error"
    assert "at most 3 a minute" in refused["data"]["message"]
    assert 1 <= refused["data"]["retry_after"] <= 60
    assert user_messages(web, session_id) == 3


class EndlessAvatar:
    """An avatar renderer that never finishes: every video stays to come."""

    name = "endless"

    async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_replies_past_the_pending_video_limit_are_answered_without_a_video(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"tutor": settings.tutor.model_copy(update={"avatar": "offline", "max_pending_videos": 2})}
    )
    services = replace(build_services(limited), avatar=EndlessAvatar())
    app = create_app(limited, embedded_worker=False, tutor_services=services)
    web: WebContext = app.state.web
    account = make_account(web, "videos@example.com")

    with serving(app, limited) as address:
        session_id = start_session(address, account)
        with open_socket(address, session_id, account.token) as ws:
            receive_until(ws, "response")  # the greeting: its video is the first to come
            answers: list[list[dict[str, Any]]] = []
            for n in range(3):
                send(ws, "text", text=f"I went to the shop {n + 1} times.", client_id=f"v-{n}")
                _, seen = receive_until(ws, "response")
                answers.append(seen)
            send(ws, "control", command="ping")  # anything after the last response arrives first
            _, tail = receive_until(ws, "control")

    skipped = [m for m in tail if m["type"] == "error"] + [
        m for seen in answers[1:] for m in seen if m["type"] == "error"
    ]
    responses = [seen[-1]["data"]["message_id"] for seen in answers]
    assert [m["type"] for m in answers[0]] == ["transcription", "correction", "response"]
    assert {m["data"]["message_id"] for m in skipped} == set(responses[1:])
    assert all("without an avatar video" in m["data"]["message"] for m in skipped)
    assert "at most 2" in skipped[0]["data"]["message"]
    with web.db.session() as session:
        states = dict(
            session.execute(
                select(Conversation.id, Conversation.video_state).where(Conversation.id.in_(responses))
            ).all()
        )
    assert [states[r] for r in responses] == ["pending", None, None]
    assert user_messages(web, session_id) == 3  # every message kept


@pytest.mark.slow
def test_another_learners_short_turn_is_heard_before_a_long_backlog(quiet_settings: Settings) -> None:
    app = create_app(quiet_settings, embedded_worker=False)
    web: WebContext = app.state.web
    ann = make_account(web, "ann@example.com", name="Ann")
    ben = make_account(web, "ben@example.com", name="Ben")
    long_turn = b64(spoken_wav("I like to walk in the park with my dog every morning before work. " * 2))
    short_turn = b64(spoken_wav("I like tea.", seed=2))
    finished: list[str] = []
    answers: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()

    def heard(name: str, ws: ClientConnection) -> None:
        answer = receive(ws)  # the transcription once the recording has been heard (or an error)
        with lock:
            finished.append(name)
            answers[name] = answer

    with serving(app, quiet_settings) as address, ExitStack() as stack:
        sockets = {
            name: stack.enter_context(
                open_socket(address, start_session(address, ann if name.startswith("a") else ben), token)
            )
            for name, token in (("a1", ann.token), ("a2", ann.token), ("a3", ann.token), ("b", ben.token))
        }
        for ws in sockets.values():
            receive_until(ws, "response")
        for name in ("a1", "a2", "a3"):
            send(sockets[name], "audio", audio=long_turn)
        # Ann may hold two recordings at the recogniser: one of the three is refused at once,
        # which also says the other two are waiting or being heard.
        refused = first_error(sockets, ("a1", "a2", "a3"))
        held = [name for name in ("a1", "a2", "a3") if name != refused]
        send(sockets["b"], "audio", audio=short_turn)
        listeners = [threading.Thread(target=heard, args=(name, sockets[name])) for name in (*held, "b")]
        for listener in listeners:
            listener.start()
        for listener in listeners:
            listener.join(120)

    assert {name: answer["type"] for name, answer in answers.items()} == dict.fromkeys(
        [*held, "b"], "transcription"
    )
    assert finished.index("b") < max(finished.index(name) for name in held)


def send_then_receive(ws: ClientConnection, frame: str) -> dict[str, Any]:
    ws.send(frame)
    return receive(ws)


def first_error(sockets: dict[str, ClientConnection], names: tuple[str, ...]) -> str:
    """The first socket among ``names`` to answer, which must answer that the learner is busy."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name in names:
            try:
                message = json.loads(sockets[name].recv(timeout=0.05))
            except TimeoutError:
                continue
            assert message["type"] == "error", message
            assert "2 recordings waiting to be heard" in message["data"]["message"]
            assert message["data"]["retry_after"] >= 1
            return name
    raise AssertionError("no recording was refused")
