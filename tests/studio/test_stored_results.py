"""With a bucket configured, a web job's result goes into it whole and leaves the worker's disk;
the library row keeps its size, and the web layer finds it by the row's path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from tests.jobs.fakes import FakeVideo, fake_bundle
from tests.s3_server import S3Server

from framecast.core.settings import Settings, get_settings
from framecast.core.storage import key_of, open_store
from framecast.db.accounts import User
from framecast.db.library import MediaFile
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.studio.generation_kind import KIND as GENERATION
from framecast.studio.outputs import materialize
from framecast.studio.requests import request_to_json


@pytest.fixture
def s3_settings(s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in s3_server.env(s3_bucket).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    settings = get_settings()
    settings.jobs.poll_s = 0.01
    settings.jobs.backoff_base_s = 0.01
    settings.jobs.backoff_max_s = 0.02
    return settings


async def test_a_web_jobs_result_is_moved_into_the_bucket(
    db: Database, s3_settings: Settings, tmp_path: Path
) -> None:
    with db.session() as session:
        user = User(email="a@example.com", name="A", password_hash="x", is_admin=False, preferences={})
        session.add(user)
        session.flush()
        owner = user.id
    out = Path(s3_settings.data_dir) / "media" / str(owner) / "jobs" / "j1"
    request = GenerationRequest(Mode.TEXT, "a red fox", Aspect.LANDSCAPE, 1)
    job_id = JobRepository(db).enqueue(
        JobSpec(
            provider="fake",
            mode="text",
            owner_id=owner,
            request=request_to_json(request, out_dir=out, stems=["fox"]),
        )
    )
    video = FakeVideo(tmp_path / "work")
    worker = Worker(
        db, s3_settings, kinds=[GENERATION], bundles={"fake": fake_bundle(video.work, video, None)}
    )
    await worker.run(until_done=True)

    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error
    with db.session() as session:
        row = session.scalars(select(MediaFile)).one()
        path, size, poster = row.path, row.size_bytes, row.poster_path
    assert not Path(path).exists()
    store = open_store(s3_settings)
    info = await store.stat(key_of(Path(s3_settings.data_dir), path))
    assert info is not None
    assert info.size == size > 0
    if poster:
        assert await store.exists(key_of(Path(s3_settings.data_dir), poster))
    leftovers = [p for p in (Path(s3_settings.data_dir) / "media").rglob("*") if p.is_file()]
    assert leftovers == []


async def test_a_result_already_moved_into_the_store_is_neither_moved_nor_downloaded_again(
    tmp_path: Path,
) -> None:
    # An attempt moved the render into the bucket and crashed before the job succeeded: the source
    # and the local target are gone, the object is there.
    planned = [
        {
            "provider_id": "r1",
            "url": None,
            "source": str(tmp_path / "work" / "render.mp4"),
            "path": str(tmp_path / "media" / "1" / "jobs" / "j" / "fox.mp4"),
            "done": False,
        }
    ]
    asked: list[Path] = []

    async def stored(target: Path) -> int | None:
        asked.append(target)
        return 1234

    outputs = await materialize(planned, mode=Mode.TEXT, http=None, max_bytes=10, stored=stored)
    assert asked == [Path(planned[0]["path"])]
    assert outputs[0]["done"] is True
    assert outputs[0]["size_bytes"] == 1234
