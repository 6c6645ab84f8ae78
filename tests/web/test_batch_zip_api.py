"""``/api/batches/{id}/zip``: asking queues a build and answers 202 with where to poll; the state
is told until the parts are built; the download answers only then; an unchanged batch is answered
at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from framecast.core.settings import Settings, get_settings
from framecast.db.models import Batch, Job
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.studio import zip_kind
from framecast.web.context import WebContext
from tests.web.conftest import Account


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", database_url)
    monkeypatch.setenv("FRAMECAST_JOBS__POLL_S", "0.01")
    monkeypatch.setenv("FRAMECAST_JOBS__BACKOFF_BASE_S", "0.01")
    monkeypatch.setenv("FRAMECAST_JOBS__BACKOFF_MAX_S", "0.01")
    get_settings.cache_clear()
    return get_settings()


def finished_batch(web: WebContext, account: Account, names: list[str]) -> int:
    """A batch of ``account`` whose items succeeded, one file each."""
    folder = web.media_root / str(account.user_id) / "batches" / "b1"
    folder.mkdir(parents=True)
    with web.db.session() as session:
        batch = Batch(
            owner_id=account.user_id,
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
            (folder / name).write_bytes(b"\x00\x00\x00\x18ftypmp42" + name.encode() * 40)
            session.add(
                Job(
                    owner_id=account.user_id,
                    batch_id=batch.id,
                    item_key=Path(name).stem,
                    provider="offline",
                    mode="text",
                    request={"prompt": name},
                    state=JobState.SUCCEEDED.value,
                    provider_ids=[],
                    outputs=[{"path": str(folder / name)}],
                )
            )
        return batch.id


def run_zip_worker(web: WebContext, settings: Settings) -> None:
    async def main() -> None:
        worker = Worker(web.db, settings, kinds=[zip_kind.KIND])
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())


def test_a_zip_is_queued_followed_and_downloaded_once_built(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    batch_id = finished_batch(web, alice, ["intro.mp4", "outro.mp4"])

    asked = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    asked_again = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    waiting = client.get(asked.json()["status_url"], headers=alice.headers)
    too_early = client.get(f"/api/batches/{batch_id}/zip/1", headers=alice.headers)
    run_zip_worker(web, settings)
    built = client.get(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    at_once = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)

    assert asked.status_code == 202
    job_id = asked.json()["job_id"]
    assert asked.json() == {
        "state": "queued",
        "job_id": job_id,
        "error": None,
        "status_url": f"/api/batches/{batch_id}/zip",
        "parts": [],
    }
    assert (asked_again.status_code, asked_again.json()["job_id"]) == (202, job_id)
    assert waiting.json()["state"] == "queued"
    assert too_early.status_code == 409
    assert too_early.json()["error"]["message"] == (
        f"the ZIP of batch {batch_id} is still being prepared; download it once it is ready"
    )
    assert built.status_code == 200
    (part,) = built.json()["parts"]
    assert (built.json()["state"], built.json()["job_id"]) == ("succeeded", job_id)
    assert (part["index"], part["name"], part["url"]) == (
        1,
        f"batch_{batch_id}.zip",
        f"/api/batches/{batch_id}/zip/1",
    )
    assert (at_once.status_code, at_once.json()["parts"]) == (200, built.json()["parts"])
    download = client.get(part["url"], headers=alice.headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert len(download.content) == part["bytes"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.namelist() == ["intro.mp4", "outro.mp4"]
    with web.db.session() as session:
        kinds = list(session.scalars(select(Job.kind).where(Job.batch_id == batch_id)))
    # The build is no item of the batch: its counts are untouched.
    assert zip_kind.KIND not in kinds
    assert client.get(f"/api/batches/{batch_id}", headers=alice.headers).json()["counts"] == {"succeeded": 2}


def test_a_failed_build_tells_why_and_a_new_request_tries_again(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    batch_id = finished_batch(web, alice, ["intro.mp4"])
    folder = web.media_root / str(alice.user_id) / "batches" / "b1"
    client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    # The folder the parts go into cannot be made: a file is in its way.
    (folder / "zips").write_bytes(b"in the way")

    run_zip_worker(web, settings)
    failed = client.get(f"/api/batches/{batch_id}/zip", headers=alice.headers).json()
    (folder / "zips").unlink()
    retried = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    run_zip_worker(web, settings)

    assert failed["state"] == "failed"
    assert failed["error"].startswith("the ZIP could not be written (")
    assert failed["error"].endswith("(gave up after 3 attempts)")
    assert str(folder) not in failed["error"]
    assert retried.status_code == 202
    assert retried.json()["job_id"] != failed["job_id"]
    assert client.get(f"/api/batches/{batch_id}/zip", headers=alice.headers).json()["state"] == "succeeded"


def test_another_users_zip_is_not_found_and_the_queue_lists_no_builds(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    batch_id = finished_batch(web, alice, ["intro.mp4"])
    job_id = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers).json()["job_id"]

    answers = [
        client.post(f"/api/batches/{batch_id}/zip", headers=bob.headers),
        client.get(f"/api/batches/{batch_id}/zip", headers=bob.headers),
        client.get(f"/api/batches/{batch_id}/zip/1", headers=bob.headers),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["error"]["message"] for a in answers} == {f"no batch {batch_id}"}
    # The queue page lists generations; the build is followed through its batch.
    listed = client.get("/api/jobs", headers=alice.headers).json()
    assert job_id not in [job["id"] for job in listed["items"]]
