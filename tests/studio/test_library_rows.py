from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from tests.jobs.fakes import FakeVideo, fake_bundle

from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.db.library import MediaFile
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.worker import Worker
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.studio.generation_kind import KIND as GENERATION
from framecast.studio.requests import request_to_json


async def test_an_owned_job_that_succeeds_adds_its_files_to_the_owners_library(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    settings.jobs.poll_s = 0.01
    with db.session() as session:
        user = User(email="a@example.com", name="A", password_hash="x", preferences={})
        session.add(user)
        session.flush()
        owner = user.id
    request = GenerationRequest(Mode.TEXT, "a heron at dawn", Aspect.LANDSCAPE, 2)
    repo = JobRepository(db)
    owned = repo.enqueue(
        JobSpec(
            provider="fake",
            mode="text",
            owner_id=owner,
            request=request_to_json(request, out_dir=tmp_path / "out", stems=["heron_1", "heron_2"]),
        )
    )
    anonymous = repo.enqueue(
        JobSpec(
            provider="fake",
            mode="text",
            request=request_to_json(request, out_dir=tmp_path / "cli", stems=["a", "b"]),
        )
    )
    video = FakeVideo(tmp_path)
    await Worker(db, settings, kinds=[GENERATION], bundles={"fake": fake_bundle(tmp_path, video)}).run(
        until_done=True
    )
    with db.session() as session:
        files = session.scalars(select(MediaFile).order_by(MediaFile.name)).all()
        rows = [(f.owner_id, f.job_id, f.name, f.kind, f.prompt, f.size_bytes > 0) for f in files]
    assert rows == [
        (owner, owned, "heron_1.mp4", "video", "a heron at dawn", True),
        (owner, owned, "heron_2.mp4", "video", "a heron at dawn", True),
    ]
    assert anonymous not in {r[1] for r in rows}
