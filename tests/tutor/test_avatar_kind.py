"""Avatar videos as the job kind ``tutor.avatar_render``: claimed once, retried, failed after the
limit, taken again after a crash (lease expired), awaited rather than bought again, and stored on the
message whether or not anyone listens — under the queue's lease, heartbeat and state machine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from framecast.core.errors import AmbiguousError
from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.models import Job
from framecast.db.session import Database
from framecast.db.tutor import Conversation, TutorSession
from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.providers.base import MediaItem, SpeechAudio
from framecast.tutor.avatar_kind import KIND, Publish, avatar_worker, queue_render


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


@pytest.fixture
def fast(settings: Settings) -> Settings:
    settings.jobs.poll_s = 0.01
    settings.jobs.backoff_base_s = 0.01
    settings.jobs.backoff_max_s = 0.02
    return settings


def pending_reply(
    db: Database, settings: Settings, *, provider_ids: list[str] | None = None, **fields: Any
) -> str:
    """A stored reply waiting for its video, queued the way the engine queues it."""
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
        job_id = queue_render(
            session, tutor_session.id, row.id, renderer="fake", attempts=settings.tutor.avatar_attempts
        )
        if provider_ids:
            session.execute(update(Job).where(Job.id == job_id).values(provider_ids=provider_ids))
        return row.id


async def drain(db: Database, settings: Settings, renderer: Any, publish: Publish, **kw: Any) -> None:
    """Run a worker of the avatar kind until no avatar job is left to do."""
    worker = avatar_worker(db, settings, renderer, publish, **kw)
    await asyncio.wait_for(worker.run(until_done=True), timeout=30)


def job_of(db: Database) -> Job:
    (job,) = JobRepository(db).list_jobs()
    assert job.kind == KIND
    return job


async def test_a_pending_video_is_rendered_stored_and_announced(database: Database, fast: Settings) -> None:
    message_id = pending_reply(database, fast)
    published: list[tuple[str, dict[str, Any]]] = []

    async def publish(session_id: str, message: dict[str, Any]) -> None:
        published.append((session_id, message))

    renderer = FakeRenderer()
    await drain(database, fast, renderer, publish)
    await drain(database, fast, renderer, publish)  # nothing left: claimed once
    assert len(renderer.calls) == 1
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "ready"
        assert row.video_url == f"/api/tutor/messages/{message_id}/video"
        assert row.video_path is not None
    assert job_of(database).state == JobState.SUCCEEDED.value
    assert published == [
        (
            published[0][0],
            {
                "type": "video_update",
                "data": {
                    "text": "Hello there!",
                    "video_url": f"/api/tutor/messages/{message_id}/video",
                    "message_id": message_id,
                },
            },
        )
    ]


async def test_failures_retry_then_fail_and_tell_the_learner(database: Database, fast: Settings) -> None:
    message_id = pending_reply(database, fast)
    published: list[dict[str, Any]] = []

    async def publish(_: str, message: dict[str, Any]) -> None:
        published.append(message)

    renderer = FakeRenderer(failures=10)
    await drain(database, fast, renderer, publish)
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "failed"
        assert row.video_error == "renderer exploded"
    assert len(renderer.calls) == fast.tutor.avatar_attempts
    assert job_of(database).state == JobState.FAILED.value
    assert [m["type"] for m in published] == ["error"]
    assert "could not be made" in published[0]["data"]["message"]


async def test_a_render_left_by_a_crash_is_taken_again_after_its_lease(
    database: Database, fast: Settings
) -> None:
    message_id = pending_reply(database, fast)
    repo = JobRepository(database)
    # Another worker took the render and stopped (its lease has not run out yet).
    (held,) = repo.claim("other:1:dead", kinds=[KIND], providers=None, lease_s=60)
    assert repo.claim("me", kinds=[KIND], providers=None, lease_s=60) == []  # another worker holds it
    with database.session() as session:
        session.execute(
            update(Job).where(Job.id == held.id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    renderer = FakeRenderer()
    await drain(database, fast, renderer, _nowhere)
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "ready"
    assert len(renderer.calls) == 1


async def test_the_lease_of_a_long_render_is_renewed_by_the_heartbeat(
    database: Database, fast: Settings
) -> None:
    fast.jobs.lease_s = 0.6
    fast.jobs.heartbeat_s = 0.1
    pending_reply(database, fast)
    leases: list[float] = []

    class SlowRenderer(FakeRenderer):
        async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
            for _ in range(8):  # four lease lengths
                await asyncio.sleep(0.3)
                job = job_of(database)
                assert job.lease_expires_at is not None
                leases.append((job.lease_expires_at - utcnow()).total_seconds())
            return await super().render(audio, portrait=portrait, dest_dir=dest_dir)

    await drain(database, fast, SlowRenderer(), _nowhere)
    assert job_of(database).state == JobState.SUCCEEDED.value
    assert min(leases) > 0  # never expired while the render ran, so no other worker took it


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


async def _nowhere(_: str, __: dict[str, Any]) -> None:
    return None


async def test_a_paid_render_stores_its_id_first_and_downloads_the_result(
    database: Database, fast: Settings
) -> None:
    message_id = pending_reply(database, fast)
    renderer = FakeRemoteRenderer()
    async with mp4_server() as http:
        await drain(database, fast, renderer, _nowhere, http=http)
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
    assert job_of(database).provider_ids == ["talk-1"]


async def test_after_a_crash_the_paid_render_is_awaited_not_bought_again(
    database: Database, fast: Settings
) -> None:
    pending_reply(database, fast, provider_ids=["talk-9"], video_remote_id="talk-9", video_attempts=1)
    repo = JobRepository(database)
    (held,) = repo.claim("other:1:dead", kinds=[KIND], providers=None, lease_s=60)
    repo.mark_submitting(held.id, "other:1:dead")
    with database.session() as session:
        session.execute(
            update(Job).where(Job.id == held.id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    renderer = FakeRemoteRenderer()
    async with mp4_server() as http:
        await drain(database, fast, renderer, _nowhere, http=http)
    assert renderer.started == []
    assert renderer.waited == ["talk-9"]
    assert job_of(database).state == JobState.SUCCEEDED.value


async def test_a_crash_between_starting_a_paid_render_and_storing_its_id_is_not_sent_again(
    database: Database, fast: Settings
) -> None:
    message_id = pending_reply(database, fast)
    repo = JobRepository(database)
    (held,) = repo.claim("other:1:dead", kinds=[KIND], providers=None, lease_s=60)
    repo.mark_submitting(held.id, "other:1:dead")  # then the worker died before the id came back
    with database.session() as session:
        session.execute(
            update(Job).where(Job.id == held.id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    renderer = FakeRemoteRenderer()
    await drain(database, fast, renderer, _nowhere)
    assert renderer.started == []
    assert job_of(database).state == JobState.FAILED.value
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "failed"


async def test_an_ambiguous_paid_submission_is_not_sent_again(database: Database, fast: Settings) -> None:
    message_id = pending_reply(database, fast)
    renderer = FakeRemoteRenderer(start_error=AmbiguousError("the create timed out", provider="remote"))
    await drain(database, fast, renderer, _nowhere)
    await drain(database, fast, renderer, _nowhere)
    with database.session() as session:
        row = session.get(Conversation, message_id)
        assert row is not None
        assert row.video_state == "failed"
    assert len(renderer.started) == 1
    assert job_of(database).state == JobState.FAILED.value


def test_the_migration_queues_the_videos_the_old_queue_had_still_to_make(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command

    from framecast.db.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        # (SQLite leaves foreign keys unchecked here: the messages need no session row.)
        for message_id, state, remote in (
            ("m1", "pending", None),
            ("m2", "rendering", "talk-7"),
            ("m3", "ready", None),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO conversations (id, session_id, seq, role, content, kind, timestamp,"
                    " video_state, video_attempts, video_remote_id)"
                    " VALUES (:id, 's1', :seq, 'assistant', 'Hi', 'reply', '2026-01-01', :state, 1, :remote)"
                ),
                {"id": message_id, "seq": int(message_id[1]), "state": state, "remote": remote},
            )
    engine.dispose()
    command.upgrade(config, "head")
    db = Database(url)
    try:
        jobs = {j.request["message_id"]: j for j in JobRepository(db).list_jobs()}
        assert set(jobs) == {"m1", "m2"}
        assert {j.kind for j in jobs.values()} == {KIND}
        assert jobs["m2"].provider_ids == ["talk-7"]  # awaited, never bought again
        assert jobs["m1"].state == JobState.QUEUED.value
    finally:
        db.dispose()
