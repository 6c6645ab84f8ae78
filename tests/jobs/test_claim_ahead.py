"""Claiming ahead: a worker of a kind of fixed concurrency claims its next job while the last one's
success is being written, and still runs no more jobs at once than the kind's concurrency."""

from __future__ import annotations

import asyncio
import threading
import time

import anyio
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from framecast.core.settings import Settings
from framecast.db.models import Job
from framecast.db.session import Database
from framecast.jobs.kinds import KindContext
from framecast.jobs.repository import ClaimedJob, JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker

KIND = "test.ahead"


class OneAtATime:
    """Concurrency 1; records how many of its jobs ran at once."""

    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = 1

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.ran: list[int] = []

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        self.ran.append(claimed.id)
        try:
            await asyncio.sleep(0.01)
            await asyncio.to_thread(context.succeed, claimed.id, [])
        finally:
            self.running -= 1

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        await self.run(claimed, context)

    def on_success(self, session: Session, job: Job) -> None:
        pass


def _enqueue(db: Database, n: int) -> list[int]:
    repo = JobRepository(db)
    return [repo.enqueue(JobSpec(provider="local", mode="noop", request={}, kind=KIND)) for _ in range(n)]


async def test_a_kind_of_concurrency_one_runs_its_jobs_one_at_a_time_in_order(
    db: Database, settings: Settings
) -> None:
    ids = _enqueue(db, 6)
    kind = OneAtATime()
    await Worker(db, settings, kinds=[KIND], handlers={KIND: kind}).run(until_done=True)
    assert kind.ran == ids
    assert kind.most == 1
    repo = JobRepository(db)
    assert {repo.get(job_id).state for job_id in ids} == {JobState.SUCCEEDED.value}


class SeesTheNextClaim(OneAtATime):
    """While the first job's success is being written (inside its transaction), looks from another
    connection for the second job already held by the same worker."""

    def __init__(self, db: Database, second: int) -> None:
        super().__init__()
        self.db = db
        self.second = second
        self.seen: tuple[str, str | None] | None = None

    def on_success(self, session: Session, job: Job) -> None:
        if job.id == self.second:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self.db.session() as other:
                row = other.execute(select(Job.state, Job.lease_owner).where(Job.id == self.second)).one()
            if row.state == JobState.RUNNING.value:
                self.seen = (row.state, row.lease_owner)
                return
            time.sleep(0.01)


@pytest.mark.postgres
async def test_the_next_job_is_claimed_while_the_last_success_is_written_and_waits_for_the_slot(
    postgres_url: str, settings: Settings
) -> None:
    settings.jobs.poll_s = 5.0  # no poll would find the second job in time: only claiming ahead
    db = Database(postgres_url)
    first, second = _enqueue(db, 2)
    kind = SeesTheNextClaim(db, second)
    worker = Worker(db, settings, kinds=[KIND], handlers={KIND: kind})
    try:
        await worker.run(until_done=True)
    finally:
        db.dispose()
    assert kind.seen == (JobState.RUNNING.value, worker.worker_id)
    assert kind.ran == [first, second]
    assert kind.most == 1  # held, but not run, until the first job had finished


class NotesSuccessThreads(OneAtATime):
    """Concurrency 1, nothing to record on success; notes the threads its successes are written in."""

    on_success = None  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.success_threads: set[int] = set()

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.ran.append(claimed.id)

        def succeed() -> None:
            self.success_threads.add(threading.get_ident())
            context.succeed(claimed.id, [])

        await asyncio.to_thread(succeed)


async def test_at_concurrency_one_the_next_job_is_claimed_in_the_thread_that_writes_the_success(
    db: Database, settings: Settings
) -> None:
    settings.jobs.poll_s = 5.0  # the loop is woken by each end, never by a poll
    ids = _enqueue(db, 5)
    kind = NotesSuccessThreads()
    worker = Worker(db, settings, kinds=[KIND], handlers={KIND: kind})
    claim_threads: list[int] = []

    def claims(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith("WITH candidates"):
            claim_threads.append(threading.get_ident())

    event.listen(db.engine, "before_cursor_execute", claims)
    await worker.run(until_done=True)
    assert kind.ran == ids
    repo = JobRepository(db)
    assert {repo.get(job_id).state for job_id in ids} == {JobState.SUCCEEDED.value}
    # Each of the five successes claims the next job in its own thread (the last finds none); the
    # loop claims only the first, looks once for RECONCILING jobs and once more at the end.
    in_success_threads = [t for t in claim_threads if t in kind.success_threads]
    assert len(in_success_threads) == 5
    assert len(claim_threads) - len(in_success_threads) <= 3


class StopsTheWorker(OneAtATime):
    """Sets ``stop`` while running its first job, then succeeds: the next job, claimed ahead in the
    success's thread as the worker stops, must be handed back (or run), never left held."""

    on_success = None  # type: ignore[assignment]

    def __init__(self, stop: asyncio.Event) -> None:
        super().__init__()
        self.stop = stop

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.ran.append(claimed.id)
        self.stop.set()
        # As real kinds do: the worker's shutdown waits for this thread (asyncio.to_thread's would
        # be left running, its connection with it).
        await anyio.to_thread.run_sync(context.succeed, claimed.id, [])


@pytest.mark.parametrize("round_", range(3))
async def test_a_job_claimed_ahead_as_the_worker_stops_is_handed_back(
    db: Database, settings: Settings, round_: int
) -> None:
    ids = _enqueue(db, 3)
    stop = asyncio.Event()
    kind = StopsTheWorker(stop)
    await Worker(db, settings, kinds=[KIND], handlers={KIND: kind}).run(stop=stop)
    repo = JobRepository(db)
    jobs = [repo.get(job_id) for job_id in ids]
    assert all(job.lease_owner is None for job in jobs)
    assert {job.state for job in jobs} <= {JobState.SUCCEEDED.value, JobState.QUEUED.value}
    assert len(kind.ran) == len(set(kind.ran))
