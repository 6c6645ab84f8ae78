"""The job kind ``studio.history_import``: a worker finds the item in the provider's history,
downloads its files (the network faked at the transport) and adds them to the owner's library in
the transaction that ends the job; failures end the job with the reason; an item is never
imported twice, whatever crashed in between."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select, update

from framecast.core.errors import RefusedError
from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.library import MediaFile
from framecast.db.models import Job
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers.base import HistoryItem, HistoryPage, HistoryStatus, ReconcileOutcome, Submission
from framecast.providers.registry import DownloadAuth, ProviderBundle, ProviderTraits
from framecast.studio.history_import_kind import KIND, imported_rows, queue_import

PROVIDER = "fakevendor"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class ScriptedHistory:
    """A provider history of fixed items; ``errors`` are raised by the next reads, in order."""

    items: list[HistoryItem]
    errors: list[Exception] = field(default_factory=list)
    on_read: Callable[[], None] | None = None
    reads: int = 0
    name: str = PROVIDER

    async def list_history(self, page: int = 1, page_size: int = 20) -> HistoryPage:
        self.reads += 1
        if self.on_read is not None:
            self.on_read()
        if self.errors:
            raise self.errors.pop(0)
        return HistoryPage(tuple(self.items), page, page_size, len(self.items), 1)

    async def reconcile(self, submission: Submission) -> ReconcileOutcome:
        raise AssertionError("an import never reconciles a submission")


@dataclass
class Files:
    """The provider's file server: what each path answers, and which requests came."""

    answers: dict[str, list[httpx.Response]]
    seen: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        queue = self.answers[request.url.path]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def owner(db: Database) -> int:
    with db.session() as session:
        user = User(email="a@example.com", name="A", password_hash="x", preferences={})
        session.add(user)
        session.flush()
        return user.id


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.jobs.poll_s = 0.01
    settings.jobs.backoff_base_s = 0.01
    settings.jobs.backoff_max_s = 0.01
    return settings


def bundle(history: ScriptedHistory, files: Files) -> ProviderBundle:
    return ProviderBundle(
        name=PROVIDER,
        history=history,
        http=httpx.AsyncClient(transport=httpx.MockTransport(files.handler)),
        traits=ProviderTraits(label="Fake vendor"),
        download_auth=DownloadAuth("Bearer vendor-key", frozenset({"files.example"})),
    )


def completed(provider_id: str = "gen-1", *urls: str) -> HistoryItem:
    return HistoryItem(
        provider_id,
        "a heron at dawn",
        HistoryStatus.COMPLETED,
        urls or (f"https://files.example/{provider_id}.mp4",),
    )


def queue(db: Database, owner: int, folder: Path, provider_id: str = "gen-1") -> int:
    with db.session() as session:
        return queue_import(
            session, owner_id=owner, provider=PROVIDER, provider_id=provider_id, out_dir=folder
        ).id


async def work(db: Database, settings: Settings, history: ScriptedHistory, files: Files) -> None:
    worker = Worker(db, settings, kinds=[KIND], bundles={PROVIDER: bundle(history, files)})
    try:
        await worker.run(until_done=True)
    finally:
        await worker.aclose()


def library(db: Database, owner: int) -> list[tuple[str, str, str | None, int]]:
    with db.session() as session:
        rows = session.scalars(select(MediaFile).where(MediaFile.owner_id == owner).order_by(MediaFile.id))
        return [(row.name, row.kind, row.provider_id, row.size_bytes) for row in rows]


async def test_an_item_is_downloaded_into_the_library_when_its_job_succeeds(
    db: Database, settings: Settings, tmp_path: Path, owner: int
) -> None:
    history = ScriptedHistory(
        [completed("gen-1", "https://files.example/gen-1.mp4", "https://files.example/gen-1.png")]
    )
    files = Files(
        {"/gen-1.mp4": [httpx.Response(200, content=MP4)], "/gen-1.png": [httpx.Response(200, content=png())]}
    )
    job_id = queue(db, owner, tmp_path / "history")

    await work(db, settings, history, files)

    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED.value
    assert library(db, owner) == [
        ("a-heron-at-dawn-1.mp4", "video", "gen-1", len(MP4)),
        ("a-heron-at-dawn-2.png", "image", "gen-1", len(png())),
    ]
    with db.session() as session:
        stored = session.get(Job, job_id)
        assert stored is not None
        rows = imported_rows(session, stored)
    assert [Path(row.path).read_bytes()[4:8] for row in rows] == [b"ftyp", b"\x0d\x0a\x1a\x0a"]
    assert all(Path(row.path).parent == tmp_path / "history" for row in rows)
    assert [o["file_id"] for o in job.outputs] == [row.id for row in rows]


async def test_a_download_refused_without_the_key_is_fetched_again_with_it(
    db: Database, settings: Settings, tmp_path: Path, owner: int
) -> None:
    files = Files({"/gen-1.mp4": [httpx.Response(401), httpx.Response(200, content=MP4)]})
    queue(db, owner, tmp_path / "history")

    await work(db, settings, ScriptedHistory([completed()]), files)

    assert [r.headers.get("authorization") for r in files.seen] == [None, "Bearer vendor-key"]
    assert [row[0] for row in library(db, owner)] == ["a-heron-at-dawn.mp4"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (None, "no item gen-1 in fakevendor's recent history"),
        (HistoryItem("gen-1", "p", HistoryStatus.FAILED), "gen-1 failed at fakevendor; nothing to import"),
        (
            HistoryItem("gen-1", "p", HistoryStatus.PROCESSING),
            "gen-1 is still processing at fakevendor; import it once done",
        ),
    ],
)
async def test_an_item_that_cannot_be_imported_fails_the_job_with_the_reason(
    db: Database, settings: Settings, tmp_path: Path, owner: int, item: HistoryItem | None, message: str
) -> None:
    job_id = queue(db, owner, tmp_path / "history")

    await work(db, settings, ScriptedHistory([item] if item else []), Files({}))

    job = JobRepository(db).get(job_id)
    assert (job.state, job.error_message) == (JobState.FAILED.value, message)
    assert library(db, owner) == []


async def test_a_download_that_keeps_failing_ends_failed_and_leaves_nothing_behind(
    db: Database, settings: Settings, tmp_path: Path, owner: int
) -> None:
    files = Files({"/gen-1.mp4": [httpx.Response(200, content=b"<html>not a video</html>")]})
    job_id = queue(db, owner, tmp_path / "history")

    await work(db, settings, ScriptedHistory([completed()]), files)

    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED.value
    assert job.error_message is not None
    assert job.error_message.startswith("the download failed: ")
    assert job.error_message.endswith("(gave up after 4 attempts)")
    assert library(db, owner) == []
    assert list((tmp_path / "history").glob("*")) == []


async def test_a_history_read_refused_for_a_while_is_tried_again(
    db: Database, settings: Settings, tmp_path: Path, owner: int
) -> None:
    history = ScriptedHistory(
        [completed()], errors=[RefusedError("busy", provider=PROVIDER, retry_after=0.01)]
    )
    job_id = queue(db, owner, tmp_path / "history")

    await work(db, settings, history, Files({"/gen-1.mp4": [httpx.Response(200, content=MP4)]}))

    job = JobRepository(db).get(job_id)
    assert (job.state, job.attempts, history.reads) == (JobState.SUCCEEDED.value, 1, 2)
    assert len(library(db, owner)) == 1


async def test_an_import_asked_for_twice_is_one_job(db: Database, tmp_path: Path, owner: int) -> None:
    first = queue(db, owner, tmp_path / "history")
    second = queue(db, owner, tmp_path / "history")
    other = queue(db, owner, tmp_path / "history", provider_id="gen-2")

    assert first == second != other


async def test_an_import_cut_short_by_a_dead_worker_runs_again_and_imports_once(
    db: Database, settings: Settings, tmp_path: Path, owner: int
) -> None:
    folder = tmp_path / "history"
    job_id = queue(db, owner, folder)
    repo = JobRepository(db)
    # A worker claimed the import, had downloaded half of the file, and died; its lease ran out.
    repo.claim("dead-worker", kinds=[KIND], providers=None, lease_s=60)
    folder.mkdir(parents=True)
    (folder / f".gen-1-j{job_id}.mp4.abc123.part").write_bytes(MP4[:10])
    with db.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    files = Files({"/gen-1.mp4": [httpx.Response(200, content=MP4)]})

    await work(db, settings, ScriptedHistory([completed()]), files)
    again = queue(db, owner, folder)
    await work(db, settings, ScriptedHistory([completed()]), files)

    assert repo.get(job_id).state == JobState.SUCCEEDED.value
    assert [row[0] for row in library(db, owner)] == ["a-heron-at-dawn.mp4"]
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [f"gen-1-j{job_id}.mp4"]
    # Asked again after it is in the library: answered with the files there, not downloaded again.
    assert repo.get(again).state == JobState.SUCCEEDED.value
    assert len(files.seen) == 1
    assert [o["file_id"] for o in repo.get(again).outputs] == [o["file_id"] for o in repo.get(job_id).outputs]


async def test_an_import_that_loses_the_race_to_another_keeps_the_winners_files_only(
    db: Database, settings: Settings, tmp_path: Path, owner: int
) -> None:
    folder = tmp_path / "history"
    late = queue(db, owner, folder)
    winner_ids: list[int] = []

    def another_import_commits() -> None:
        # While this import reads the history, another import of the item commits its rows.
        with db.session() as session:
            winner = MediaFile(
                owner_id=owner,
                kind="video",
                path=str(folder / "winner.mp4"),
                name="a-heron-at-dawn.mp4",
                prompt="a heron at dawn",
                provider=PROVIDER,
                provider_id="gen-1",
                size_bytes=len(MP4),
            )
            session.add(winner)
            session.flush()
            winner_ids.append(winner.id)

    history = ScriptedHistory([completed()], on_read=another_import_commits)
    files = Files({"/gen-1.mp4": [httpx.Response(200, content=MP4)]})

    await work(db, settings, history, files)

    job = JobRepository(db).get(late)
    assert job.state == JobState.SUCCEEDED.value
    assert [o["file_id"] for o in job.outputs] == winner_ids
    assert [row[0] for row in library(db, owner)] == ["a-heron-at-dawn.mp4"]
    # Its own download was made, then removed: the library keeps one copy.
    assert len(files.seen) == 1
    assert list(folder.iterdir()) == []
