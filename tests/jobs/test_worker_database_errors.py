"""A database that fails for a while (PostgreSQL restarting, a dropped connection) does not end a
worker's loop: the claim or lease sweep that failed is logged and tried again after a pause, and the
queue's jobs still run once the database answers again. The faults are injected where SQLAlchemy
sends each statement to the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from framecast.core.settings import Settings
from framecast.db.session import Database
from framecast.jobs.kinds import KindContext
from framecast.jobs.repository import ClaimedJob, JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker

KIND = "test.db_errors"


class Quick:
    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = 1
    on_success = None

    def __init__(self) -> None:
        self.ran: list[int] = []

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.ran.append(claimed.id)
        await asyncio.to_thread(context.succeed, claimed.id, [])

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        await self.run(claimed, context)


def _fail_first(db: Database, times: int, matches: Callable[[str], bool]) -> list[str]:
    """The next ``times`` statements ``matches`` accepts raise OperationalError, as a server that
    closed the connection does; returns the statements refused so far."""
    refused: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if len(refused) < times and matches(statement):
            refused.append(statement)
            raise OperationalError(statement, None, ConnectionError("server closed the connection"))

    event.listen(db.engine, "before_cursor_execute", before)
    return refused


def _is_claim(statement: str) -> bool:
    return statement.lstrip().startswith("WITH candidates")


def _is_sweep(statement: str) -> bool:
    # recover_expired's read of the held jobs: the first statement of every loop turn's sweep.
    return statement.lstrip().startswith("SELECT") and "lease_owner IS NOT NULL" in statement


@pytest.mark.parametrize(("what", "matches"), [("claim", _is_claim), ("lease sweep", _is_sweep)])
async def test_a_worker_goes_on_after_the_database_fails_in_its_loop(
    db: Database,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    what: str,
    matches: Callable[[str], bool],
) -> None:
    settings.jobs.poll_s = 0.01
    repo = JobRepository(db)
    ids = [repo.enqueue(JobSpec(provider="local", mode="noop", request={}, kind=KIND)) for _ in range(3)]
    kind = Quick()
    worker = Worker(db, settings, kinds=[KIND], handlers={KIND: kind})
    worker.db_retry_s = (0.01, 0.05)
    refused = _fail_first(db, 3, matches)
    with caplog.at_level(logging.WARNING, logger="framecast.jobs.worker"):
        await asyncio.wait_for(worker.run(until_done=True), timeout=60)
    assert len(refused) == 3, what
    assert sorted(kind.ran) == ids  # each once, none left behind
    assert {repo.get(job_id).state for job_id in ids} == {JobState.SUCCEEDED.value}
    failures = [r for r in caplog.records if "the database failed" in r.getMessage()]
    assert len(failures) == 3
    assert all("trying again" in r.getMessage() for r in failures)


async def test_an_error_that_is_not_the_database_being_down_still_ends_the_loop(
    db: Database, settings: Settings
) -> None:
    settings.jobs.poll_s = 0.01
    repo = JobRepository(db)
    repo.enqueue(JobSpec(provider="local", mode="noop", request={}, kind=KIND))
    worker = Worker(db, settings, kinds=[KIND], handlers={KIND: Quick()})

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if _is_claim(statement):
            raise RuntimeError("a bug, not an outage")

    event.listen(db.engine, "before_cursor_execute", before)
    with pytest.raises(RuntimeError, match="a bug"):
        await asyncio.wait_for(worker.run(until_done=True), timeout=60)
