"""Job kinds: claims take only the kinds asked for, a worker hands each job to its kind's handler
(with the kind's own lease), unknown kinds are refused by name, and the migration makes every job
that existed before kinds a Studio generation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from framecast.core.settings import Settings
from framecast.db.migrate import alembic_config
from framecast.db.models import Job
from framecast.db.session import Database
from framecast.jobs.kinds import KindContext, UnknownKindError, handler_for
from framecast.jobs.repository import ClaimedJob, JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker


def spec(kind: str, provider: str = "local") -> JobSpec:
    return JobSpec(provider=provider, mode="note", request={"text": "hi"}, kind=kind)


def test_a_claim_takes_only_the_kinds_asked_for(db: Database) -> None:
    repo = JobRepository(db)
    note = repo.enqueue(spec("test.note"))
    other = repo.enqueue(spec("test.other"))
    assert [j.id for j in repo.claim("w", kinds=["test.note"], providers=None, lease_s=30, limit=5)] == [note]
    claimed = repo.claim("w", kinds=["test.note", "test.other"], providers=None, lease_s=30, limit=5)
    assert [(j.id, j.kind) for j in claimed] == [(other, "test.other")]


def test_a_job_without_a_kind_is_a_studio_generation(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(JobSpec(provider="fake", mode="text", request={}))
    assert repo.get(job_id).kind == "studio.generation"


def test_an_unknown_kind_is_refused_with_the_known_ones_named() -> None:
    with pytest.raises(UnknownKindError, match=r"no handler for job kind 'test\.nope'.*test\.note"):
        handler_for("test.nope", {"test.note": NoteKind()})


class NoteKind:
    """A kind that writes its text to the job's outputs; records what it saw."""

    lease_s: float | None = 7.0
    heartbeat_s: float | None = None
    concurrency: int | None = 2

    def __init__(self) -> None:
        self.ran: list[ClaimedJob] = []
        self.reconciled: list[int] = []
        self.succeeded: list[int] = []

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.ran.append(claimed)
        held = context.repo.get(claimed.id)
        assert held.lease_expires_at is not None
        assert held.started_at is not None
        lease = (held.lease_expires_at - held.started_at).total_seconds()
        await asyncio.to_thread(
            context.succeed, claimed.id, [{"text": claimed.request["text"], "lease": lease}]
        )

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.reconciled.append(claimed.id)
        await asyncio.to_thread(context.succeed, claimed.id, [])

    def on_success(self, session: Session, job: Job) -> None:
        # Inside the transaction that marks the job SUCCEEDED.
        assert job.state == JobState.SUCCEEDED.value
        self.succeeded.append(job.id)


async def test_a_worker_hands_each_job_to_its_kinds_handler_under_the_kinds_lease(
    db: Database, settings: Settings
) -> None:
    settings.jobs.poll_s = 0.01
    repo = JobRepository(db)
    note = repo.enqueue(spec("test.note"))
    generation = repo.enqueue(JobSpec(provider="fake", mode="text", request={}))
    kind = NoteKind()
    worker = Worker(db, settings, kinds=["test.note"], handlers={"test.note": kind}, job_ids=[note])
    assert worker.bundles == {}  # a kind that calls no provider builds none
    await worker.run(until_done=True)
    done = repo.get(note)
    assert done.state == JobState.SUCCEEDED.value
    assert done.outputs[0]["text"] == "hi"
    assert done.outputs[0]["lease"] == pytest.approx(7.0, abs=1.0)
    assert [j.kind for j in kind.ran] == ["test.note"]
    assert kind.succeeded == [note]
    assert repo.get(generation).state == JobState.QUEUED.value  # not this worker's kind


async def test_a_worker_reconciles_a_job_its_kind_left_reconciling(db: Database, settings: Settings) -> None:
    settings.jobs.poll_s = 0.01
    repo = JobRepository(db)
    job_id = repo.enqueue(spec("test.note"))
    repo.claim("dead", kinds=["test.note"], providers=None, lease_s=30)
    repo.mark_submitting(job_id, "dead")
    repo.release(job_id, "dead")
    assert repo.get(job_id).state == JobState.RECONCILING.value
    kind = NoteKind()
    await Worker(db, settings, handlers={"test.note": kind}, kinds=["test.note"]).run(until_done=True)
    assert kind.reconciled == [job_id]
    assert kind.ran == []
    assert repo.get(job_id).state == JobState.SUCCEEDED.value


async def test_a_busy_worker_looks_for_reconciling_jobs_once_a_poll_not_after_every_job(
    db: Database, settings: Settings
) -> None:
    # Longer than the run: only the first look happens. (A job ending while the loop claims wakes
    # it: were that wake-up lost, this test would sit out a whole minute's poll.)
    settings.jobs.poll_s = 60.0
    repo = JobRepository(db)
    ids = [repo.enqueue(spec("test.note")) for _ in range(12)]
    looks: list[object] = []

    def listen(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        # A claim's look for candidates (ordered by priority), of RECONCILING ones.
        values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters or ())
        if "ORDER BY jobs.priority" in statement and JobState.RECONCILING.value in values:
            looks.append(parameters)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        kind = NoteKind()
        await Worker(db, settings, handlers={"test.note": kind}, kinds=["test.note"]).run(until_done=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    assert sorted(j.id for j in kind.ran) == ids
    assert len(looks) == 1


async def test_a_crash_in_a_handler_fails_a_job_that_sent_nothing(db: Database, settings: Settings) -> None:
    settings.jobs.poll_s = 0.01

    class Exploding(NoteKind):
        async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
            raise RuntimeError("/secret/path exploded")

    repo = JobRepository(db)
    job_id = repo.enqueue(spec("test.note"))
    await Worker(db, settings, handlers={"test.note": Exploding()}, kinds=["test.note"]).run(until_done=True)
    job = repo.get(job_id)
    assert job.state == JobState.FAILED.value
    assert job.error_category == "internal"
    assert "/secret" not in (job.error_message or "")


def test_the_migration_makes_every_existing_job_a_studio_generation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = sa.create_engine(url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO jobs (provider, mode, request, state, priority, attempts, max_attempts,"
                " not_before, provider_ids, outputs, cancel_requested, charged, charges, created_at,"
                " updated_at) VALUES ('offline', 'text', '{}', 'queued', 0, 0, 8, :now, '[]', '[]',"
                " 0, 0, 0, :now, :now)"
            ),
            {"now": now},
        )
    command.upgrade(config, "head")
    with engine.begin() as conn:
        kinds: list[Any] = list(conn.execute(sa.text("SELECT kind FROM jobs")).scalars())
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("jobs")}
    engine.dispose()
    assert kinds == ["studio.generation"]
    assert "ix_jobs_kind_claim" in indexes
