"""Avatar videos as durable jobs: claimed once, retried, failed after the limit, taken again after a
crash (lease expired), and stored on the message whether or not anyone listens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from framecast.core.errors import AmbiguousError
from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.db.tutor import Conversation, TutorSession
from framecast.providers.base import MediaItem, SpeechAudio
from framecast.tutor.avatar_jobs import AvatarQueue


class FakeRenderer:
    name = "fake"

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[bytes] = []

    async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
        self.calls.append(audio.data)
        if len(self.calls) <= self.failures:
            raise RuntimeError("renderer exploded")
        dest_dir.mkdir(parents=True, exist_ok=True)
        path = dest_dir / "video.mp4"
        path.write_bytes(b"\0\0\0\x18ftypisom")
        return MediaItem(provider_id=None, path=path)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def pending_reply(db: Database, settings: Settings, **fields: Any) -> str:
    audio = Path(settings.data_dir) / "tutor" / "speech.mp3"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"ID3 speech")
    with db.session() as session:
        user = User(email="l@example.com", name="L", password_hash="x", preferences={})
        session.add(user)
        session.flush()
        tutor_session = TutorSession(user_id=user.id)
        session.add(tutor_session)
        session.flush()
        row = Conversation(
            session_id=tutor_session.id,
            seq=1,
            role="assistant",
            content="Hello there!",
            kind="reply",
            audio_path="tutor/speech.mp3",
            video_state="pending",
            **fields,
        )
        session.add(row)
        session.flush()
        return row.id


async def test_a_pending_video_is_rendered_stored_and_announced(
    database: Database, settings: Settings
) -> None:
    message_id = pending_reply(database, settings)
    published: list[tuple[str, dict[str, Any]]] = []

    async def publish(session_id: str, message: dict[str, Any]) -> None:
        published.append((session_id, message))

    queue = AvatarQueue(database, FakeRenderer(), settings, publish)
    assert await queue.run_once() is True
    assert await queue.run_once() is False  # nothing left: claimed once
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "ready"
        assert row.video_url == f"/api/tutor/messages/{message_id}/video"
        assert row.video_path is not None
    assert published[0][1] == {
        "type": "video_update",
        "data": {
            "text": "Hello there!",
            "video_url": f"/api/tutor/messages/{message_id}/video",
            "message_id": message_id,
        },
    }


async def test_failures_retry_then_fail_and_tell_the_learner(database: Database, settings: Settings) -> None:
    message_id = pending_reply(database, settings)
    published: list[dict[str, Any]] = []

    async def publish(_: str, message: dict[str, Any]) -> None:
        published.append(message)

    renderer = FakeRenderer(failures=10)
    queue = AvatarQueue(database, renderer, settings, publish)
    for attempt in range(settings.tutor.avatar_attempts):
        with database.session() as session:  # skip the back-off wait
            row = session.get(Conversation, message_id)
            assert row is not None
            row.video_lease_until = None
        assert await queue.run_once() is True, attempt
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "failed"
        assert row.video_error == "renderer exploded"
    assert len(renderer.calls) == settings.tutor.avatar_attempts
    assert [m["type"] for m in published] == ["error"]
    assert "could not be made" in published[0]["data"]["message"]


async def test_a_render_left_by_a_crash_is_taken_again_after_its_lease(
    database: Database, settings: Settings
) -> None:
    message_id = pending_reply(database, settings, video_attempts=1)
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        row.video_state = "rendering"
        row.video_lease_until = utcnow() + timedelta(seconds=60)

    async def publish(_: str, __: dict[str, Any]) -> None:
        return None

    queue = AvatarQueue(database, FakeRenderer(), settings, publish)
    assert await queue.run_once() is False  # another worker holds it
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        row.video_lease_until = utcnow() - timedelta(seconds=1)
    assert await queue.run_once() is True
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "ready"


class FakeRemoteRenderer:
    """Two-step paid renderer like D-ID: ``start_render`` charges, ``wait`` polls."""

    name = "remote"

    def __init__(self, *, start_error: Exception | None = None) -> None:
        self.started: list[bytes] = []
        self.waited: list[str] = []
        self.start_error = start_error

    async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
        raise AssertionError("a paid renderer is driven in two steps")

    async def start_render(self, audio: SpeechAudio) -> str:
        self.started.append(audio.data)
        if self.start_error is not None:
            raise self.start_error
        return "talk-1"

    async def wait(self, render_id: str) -> MediaItem:
        self.waited.append(render_id)
        return MediaItem(provider_id=render_id, url=f"https://results.example/{render_id}.mp4")


def mp4_server() -> httpx.AsyncClient:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"\0\0\0\x18ftypisom" + b"\0" * 64)

    return httpx.AsyncClient(transport=httpx.MockTransport(serve))


async def nowhere(_: str, __: dict[str, Any]) -> None:
    return None


async def test_a_paid_render_stores_its_id_first_and_downloads_the_result(
    database: Database, settings: Settings
) -> None:
    message_id = pending_reply(database, settings)
    renderer = FakeRemoteRenderer()
    async with mp4_server() as http:
        queue = AvatarQueue(database, renderer, settings, nowhere, http=http)
        assert await queue.run_once() is True
    assert renderer.started == [b"ID3 speech"]
    assert renderer.waited == ["talk-1"]
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_remote_id == "talk-1"
        assert row.video_state == "ready"
        assert row.video_path is not None
        assert Path(row.video_path).read_bytes()[4:8] == b"ftyp"
        assert row.video_url == f"/api/tutor/messages/{message_id}/video"


async def test_after_a_crash_the_paid_render_is_awaited_not_bought_again(
    database: Database, settings: Settings
) -> None:
    pending_reply(database, settings, video_remote_id="talk-9", video_attempts=1)
    renderer = FakeRemoteRenderer()
    async with mp4_server() as http:
        assert await AvatarQueue(database, renderer, settings, nowhere, http=http).run_once() is True
    assert renderer.started == []
    assert renderer.waited == ["talk-9"]


async def test_an_ambiguous_paid_submission_is_not_sent_again(database: Database, settings: Settings) -> None:
    message_id = pending_reply(database, settings)
    renderer = FakeRemoteRenderer(start_error=AmbiguousError("the create timed out", provider="remote"))
    queue = AvatarQueue(database, renderer, settings, nowhere)
    assert await queue.run_once() is True
    assert await queue.run_once() is False
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "failed"
    assert len(renderer.started) == 1
