"""Claims: one statement where no user's cap applies, in claim order, never one job to two workers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from framecast.db.session import Database
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState

KIND = "test.claimed"


def spec(**kw: object) -> JobSpec:
    base: dict[str, object] = {"provider": "local", "mode": "noop", "request": {"n": 1}, "kind": KIND}
    base.update(kw)
    return JobSpec(**base)  # type: ignore[arg-type]


def test_a_claim_of_a_kind_no_user_cap_applies_to_is_one_statement_in_claim_order(db: Database) -> None:
    repo = JobRepository(db)
    ids = [repo.enqueue(spec(priority=n % 2)) for n in range(6)]
    statements: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        claimed = repo.claim("w", kinds=[KIND], providers=None, lease_s=30, limit=4)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert [j.id for j in claimed] == [ids[1], ids[3], ids[5], ids[0]]
    assert {(j.state, j.kind, j.request["n"]) for j in claimed} == {(JobState.RUNNING, KIND, 1)}
    assert [s.split()[0].upper() for s in statements if not s.startswith("BEGIN")] == ["WITH"]
    held = [repo.get(j.id) for j in claimed]
    assert {(j.state, j.lease_owner) for j in held} == {(JobState.RUNNING.value, "w")}
    assert all(j.started_at is not None and j.lease_expires_at is not None for j in held)


def test_a_one_statement_claim_passes_over_jobs_under_a_live_lease_and_later_ones(db: Database) -> None:
    repo = JobRepository(db)
    first, second = repo.enqueue(spec()), repo.enqueue(spec())
    assert [j.id for j in repo.claim("w1", kinds=[KIND], providers=None, lease_s=30)] == [first]
    assert [j.id for j in repo.claim("w2", kinds=[KIND], providers=None, lease_s=30, limit=5)] == [second]
    assert repo.claim("w3", kinds=[KIND], providers=None, lease_s=30, limit=5) == []


def test_a_one_statement_claim_keeps_to_its_batch_providers_and_job_ids(db: Database) -> None:
    from framecast.db.models import Batch

    with db.session() as session:
        batches = [
            Batch(kind="aroll", provider="local", out_dir="/tmp", source_path="s.txt", source_format="txt")
            for _ in range(2)
        ]
        session.add_all(batches)
        session.flush()
        mine, other = (b.id for b in batches)
    repo = JobRepository(db)
    inside = [repo.enqueue(spec(batch_id=mine)) for _ in range(3)]
    repo.enqueue(spec(batch_id=other))
    repo.enqueue(spec(batch_id=mine, provider="elsewhere"))
    claimed = repo.claim(
        "w", kinds=[KIND], providers=["local"], batch_id=mine, job_ids=inside[1:], lease_s=30, limit=9
    )
    assert [j.id for j in claimed] == inside[1:]
    reconciling = repo.claim(
        "w", kinds=[KIND], providers=["local"], batch_id=mine, lease_s=30, reconciling=True
    )
    assert reconciling == []


@pytest.mark.postgres
def test_workers_claiming_at_the_same_time_never_share_a_job_nor_take_more_than_asked(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    repo = JobRepository(db)
    ids = [repo.enqueue(spec()) for _ in range(120)]
    taken: list[list[int]] = []
    lock = threading.Lock()

    def claim_until_empty(worker: str) -> None:
        while True:
            claimed = repo.claim(worker, kinds=[KIND], providers=None, lease_s=30, limit=3)
            with lock:
                taken.append([j.id for j in claimed])
            if not claimed:
                return

    threads = [threading.Thread(target=claim_until_empty, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.dispose()
    every = [job_id for claim in taken for job_id in claim]
    assert sorted(every) == ids  # each job once: none lost, none claimed twice
    assert max(len(claim) for claim in taken) <= 3
