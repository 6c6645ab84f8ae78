"""The job kind ``studio.zip``: a request queues one build per batch (or answers the parts already
built), a worker builds them, a failure is told in the user's words, and a build cut short by a
worker that died is simply built again."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.studio import batch_zips
from framecast.studio.zip_kind import KIND, ZipStatus, request_zip, zip_status


def make_batch(db: Database, folder: Path, names: list[str], owner_id: int = 7) -> int:
    """A batch of succeeded items, one file each, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        batch = Batch(
            owner_id=owner_id,
            kind="aroll",
            provider="offline",
            out_dir=str(folder),
            source_path=str(folder / "shots.txt"),
            source_format="txt",
            options={},
        )
        session.add(batch)
        session.flush()
        for name in names:
            path = folder / name
            path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + name.encode() * 50)
            session.add(
                Job(
                    owner_id=owner_id,
                    batch_id=batch.id,
                    item_key=Path(name).stem,
                    provider="offline",
                    mode="text",
                    request={"prompt": name},
                    state=JobState.SUCCEEDED.value,
                    provider_ids=[],
                    outputs=[{"path": str(path)}],
                )
            )
        return batch.id


def ask(db: Database, batch_id: int) -> ZipStatus:
    with db.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return request_zip(session, batch)


def status(db: Database, batch_id: int) -> ZipStatus:
    with db.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return zip_status(session, batch)


async def work(db: Database, settings: Settings) -> None:
    settings.jobs.poll_s = 0.01
    worker = Worker(db, settings, kinds=[KIND])
    try:
        await worker.run(until_done=True)
    finally:
        await worker.aclose()


def names_in(parts: ZipStatus) -> list[str]:
    found: list[str] = []
    for part in parts.parts:
        with zipfile.ZipFile(part.path) as archive:
            found.extend(archive.namelist())
    return found


def zip_jobs(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(Job.kind == KIND)) or 0)


async def test_a_requested_zip_is_queued_once_built_by_a_worker_and_then_answered_at_once(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    batch_id = make_batch(db, tmp_path / "batch", ["intro.mp4", "outro.mp4"])

    first = ask(db, batch_id)
    again = ask(db, batch_id)
    before = status(db, batch_id)
    await work(db, settings)
    done = status(db, batch_id)
    ready = ask(db, batch_id)

    assert (first.state, first.parts) == ("queued", [])
    assert again.job_id == first.job_id
    assert before.state == "queued"
    assert (done.state, done.job_id, done.error) == ("succeeded", first.job_id, None)
    assert names_in(done) == ["intro.mp4", "outro.mp4"]
    assert [p.name for p in done.parts] == [f"batch_{batch_id}.zip"]
    assert (ready.state, [p.path for p in ready.parts]) == ("succeeded", [p.path for p in done.parts])
    assert zip_jobs(db) == 1
    job = JobRepository(db).get(first.job_id or 0)
    assert (job.owner_id, job.batch_id, job.outputs[0]["name"]) == (7, None, f"batch_{batch_id}.zip")


async def test_a_batch_whose_files_changed_is_built_again(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    batch_id = make_batch(db, folder, ["intro.mp4", "outro.mp4"])
    ask(db, batch_id)
    await work(db, settings)

    (folder / "intro.mp4").unlink()
    outdated = status(db, batch_id)
    rebuild = ask(db, batch_id)
    await work(db, settings)

    assert (outdated.state, outdated.parts) == ("none", [])
    assert rebuild.state == "queued"
    assert names_in(status(db, batch_id)) == ["outro.mp4"]
    assert zip_jobs(db) == 2


async def test_parts_follow_the_part_size_asked_for(
    db: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "batch"
    batch_id = make_batch(db, folder, ["a.mp4", "b.mp4", "c.mp4"])
    monkeypatch.setattr(batch_zips, "MAX_PART_BYTES", (folder / "a.mp4").stat().st_size + 400)

    ask(db, batch_id)
    await work(db, settings)

    done = status(db, batch_id)
    assert [p.index for p in done.parts] == [1, 2, 3]
    assert names_in(done) == ["a.mp4", "b.mp4", "c.mp4"]


async def test_a_batch_without_finished_files_needs_no_build(db: Database, tmp_path: Path) -> None:
    batch_id = make_batch(db, tmp_path / "batch", [])

    answer = ask(db, batch_id)

    assert (answer.state, answer.job_id, answer.parts) == ("succeeded", None, [])
    assert zip_jobs(db) == 0


async def test_the_zip_of_a_deleted_batch_fails_saying_so(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    batch_id = make_batch(db, tmp_path / "batch", ["intro.mp4"])
    job_id = ask(db, batch_id).job_id
    with db.session() as session:
        # The batch is gone but its zip job (no batch_id of its own) is still queued.
        session.execute(update(Job).where(Job.batch_id == batch_id).values(batch_id=None))
        session.execute(Batch.__table__.delete().where(Batch.id == batch_id))

    await work(db, settings)

    job = JobRepository(db).get(job_id or 0)
    assert job.state == JobState.FAILED.value
    assert job.error_message == f"batch {batch_id} no longer exists; there is nothing to zip"


async def test_two_files_with_one_name_fail_the_build_with_the_names(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    batch_id = make_batch(db, folder, ["intro.mp4"])
    twin = folder / "again" / "intro.mp4"
    twin.parent.mkdir()
    twin.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with db.session() as session:
        session.add(
            Job(
                owner_id=7,
                batch_id=batch_id,
                item_key="again",
                provider="offline",
                mode="text",
                request={},
                state=JobState.SUCCEEDED.value,
                provider_ids=[],
                outputs=[{"path": str(twin)}],
            )
        )

    ask(db, batch_id)
    await work(db, settings)

    failed = status(db, batch_id)
    assert failed.state == "failed"
    assert failed.error is not None
    assert failed.error.startswith("two files are both named 'intro.mp4'")


async def test_a_build_cut_short_by_a_dead_worker_is_built_again_from_scratch(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    batch_id = make_batch(db, folder, ["intro.mp4", "outro.mp4"])
    job_id = ask(db, batch_id).job_id
    repo = JobRepository(db)
    # A worker claimed the build and died mid-write: a half-written archive and a stale part
    # with a manifest from other files are on disk, and its lease ran out.
    (claimed,) = repo.claim("dead-worker", kinds=[KIND], providers=None, lease_s=60)
    zips = folder / batch_zips.ZIP_FOLDER
    zips.mkdir()
    (zips / f".batch_{batch_id}.zip.abc123.tmp").write_bytes(b"PK\x03\x04 half")
    (zips / f"batch_{batch_id}.zip").write_bytes(b"not the real archive")
    (zips / batch_zips.MANIFEST).write_text(
        json.dumps({"signature": "old", "parts": [f"batch_{batch_id}.zip"]})
    )
    with db.session() as session:
        session.execute(
            update(Job).where(Job.id == claimed.id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )

    await work(db, settings)

    done = status(db, batch_id)
    assert (done.state, done.job_id) == ("succeeded", job_id)
    assert names_in(done) == ["intro.mp4", "outro.mp4"]
    with zipfile.ZipFile(done.parts[0].path) as archive:
        assert archive.read("outro.mp4") == (folder / "outro.mp4").read_bytes()
    job = repo.get(job_id or 0)
    assert (job.state, job.attempts) == (JobState.SUCCEEDED.value, 0)
    assert zip_jobs(db) == 1
