from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from framecast.core.errors import AlreadySentError, JobStateError, NotFoundError
from framecast.db.base import utcnow
from framecast.db.models import Job
from framecast.db.session import Database
from framecast.jobs.control import JobControl
from framecast.jobs.repository import JobRepository, JobSpec, LeaseLostError
from framecast.jobs.states import JobState

REQUEST = {
    "mode": "text",
    "prompt": "p",
    "aspect": "landscape",
    "count": 1,
    "out_dir": "/tmp",
    "stems": ["p"],
}


def spec(**kw: object) -> JobSpec:
    base: dict[str, object] = {"provider": "fake", "mode": "text", "request": REQUEST}
    base.update(kw)
    return JobSpec(**base)  # type: ignore[arg-type]


def test_a_job_is_claimed_by_one_worker_only(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    first = repo.claim("w1", providers=["fake"], lease_s=30)
    second = repo.claim("w2", providers=["fake"], lease_s=30)
    assert [j.id for j in first] == [job_id]
    assert second == []
    assert repo.get(job_id).lease_owner == "w1"


def test_claim_respects_provider_priority_and_not_before(db: Database) -> None:
    repo = JobRepository(db)
    low = repo.enqueue(spec())
    high = repo.enqueue(spec(priority=5))
    other = repo.enqueue(spec(provider="other"))
    later = repo.enqueue(spec())
    with db.session() as s:
        s.execute(update(Job).where(Job.id == later).values(not_before=utcnow() + timedelta(hours=1)))
    claimed = repo.claim("w", providers=["fake"], lease_s=30, limit=10)
    assert [j.id for j in claimed] == [high, low]
    assert other not in [j.id for j in claimed]


def test_a_claim_of_several_jobs_takes_them_in_two_statements_and_hands_each_back_as_held(
    db: Database,
) -> None:
    repo = JobRepository(db)
    ids = [repo.enqueue(spec(priority=n % 2)) for n in range(6)]
    statements: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        claimed = repo.claim("w", providers=["fake"], lease_s=30, limit=4)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert [j.id for j in claimed] == [ids[1], ids[3], ids[5], ids[0]]
    assert {j.state for j in claimed} == {JobState.RUNNING}
    held = [repo.get(j.id) for j in claimed]
    assert {(j.state, j.lease_owner) for j in held} == {(JobState.RUNNING.value, "w")}
    assert all(j.started_at is not None and j.lease_expires_at is not None for j in held)
    # The candidates, then one compare-and-set for the four: nothing read back job by job.
    queries = [s.split()[0].upper() for s in statements if not s.startswith("BEGIN")]  # SQLite's BEGIN
    assert queries == ["SELECT", "UPDATE"]
    assert repo.claim("w2", providers=["fake"], lease_s=30, limit=4)[0].id == ids[2]


def test_an_expired_lease_of_a_submitted_job_goes_to_reconciling(db: Database) -> None:
    repo = JobRepository(db)
    submitted = repo.enqueue(spec())
    fresh = repo.enqueue(spec())
    repo.claim("remote-host:1:x", providers=["fake"], lease_s=30, limit=2)
    repo.mark_submitting(submitted, "remote-host:1:x")
    with db.session() as s:
        s.execute(update(Job).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    assert sorted(repo.recover_expired()) == sorted([submitted, fresh])
    assert repo.get(submitted).state == JobState.RECONCILING
    assert repo.get(fresh).state == JobState.QUEUED
    again = repo.claim("w2", providers=["fake"], lease_s=30, reconciling=True)
    assert [j.id for j in again] == [submitted]
    assert again[0].submitted_at is not None


def test_a_dead_local_holder_loses_its_lease_before_expiry(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    import socket

    dead = f"{socket.gethostname()}:{2**22 + 12345}:dead"
    repo.claim(dead, providers=["fake"], lease_s=3600)
    assert repo.recover_expired() == [job_id]
    live = f"{socket.gethostname()}:{os.getpid()}:other"
    repo.claim(live, providers=["fake"], lease_s=3600)
    assert repo.recover_expired() == []


def test_a_worker_that_lost_its_lease_cannot_finish_the_job(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w1", providers=["fake"], lease_s=30)
    with db.session() as s:
        s.execute(update(Job).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    repo.recover_expired()
    repo.claim("w2", providers=["fake"], lease_s=30)
    with pytest.raises(LeaseLostError):
        repo.succeed(job_id, "w1", [])
    repo.succeed(job_id, "w2", [{"path": "/x.mp4"}])
    assert repo.get(job_id).state == JobState.SUCCEEDED


def test_requeue_counts_attempts_and_fails_when_out_of_tries(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec(max_attempts=2))
    for expected in (JobState.QUEUED, JobState.FAILED):
        repo.claim("w", providers=["fake"], lease_s=30)
        state = repo.requeue(job_id, "w", delay_s=0, category="server", message="boom")
        assert state is expected
    job = repo.get(job_id)
    assert job.attempts == 2
    assert "gave up after 2 attempts" in (job.error_message or "")


def test_rate_limit_refusals_do_not_use_up_attempts(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec(max_attempts=1))
    for _ in range(5):
        repo.claim("w", providers=["fake"], lease_s=30)
        assert repo.requeue(
            job_id, "w", delay_s=0, category="rate_limit", message="429", count_attempt=False
        ) is (JobState.QUEUED)
    assert repo.get(job_id).attempts == 0


def test_a_provider_id_binds_to_one_job_only(db: Database) -> None:
    repo = JobRepository(db)
    a = repo.enqueue(spec())
    b = repo.enqueue(spec())
    assert repo.record_provider_ids(a, "fake", ["g1"])
    assert repo.record_provider_ids(a, "fake", ["g1"])  # idempotent for the same job
    assert not repo.record_provider_ids(b, "fake", ["g1"])
    assert repo.bound_ids("fake", except_job=b) == frozenset({"g1"})
    assert repo.get(b).provider_ids == []


def test_a_queued_job_is_cancelled_at_once_and_can_be_retried(db: Database) -> None:
    repo = JobRepository(db)
    queued = repo.enqueue(spec())
    assert JobControl(db).cancel(queued) is JobState.CANCELLED
    assert repo.get(queued).finished_at is not None
    JobControl(db).retry(queued)
    assert repo.get(queued).state == JobState.QUEUED


def test_a_claimed_job_not_yet_sent_is_cancelled_at_once_and_its_worker_can_no_longer_send_it(
    db: Database,
) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30)
    assert JobControl(db).cancel(job_id) is JobState.CANCELLED
    job = repo.get(job_id)
    assert job.state == JobState.CANCELLED
    assert job.lease_owner is None
    assert repo.cancelled_among([job_id]) == [job_id]
    with pytest.raises(LeaseLostError):
        repo.mark_submitting(job_id, "w")


def test_a_job_already_sent_cannot_be_cancelled_and_goes_on(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30)
    assert repo.mark_submitting(job_id, "w")
    control = JobControl(db, label=lambda name: "Fake Veo")
    with pytest.raises(AlreadySentError) as refused:
        control.cancel(job_id)
    message = str(refused.value)
    assert "already sent to Fake Veo" in message
    assert "will finish" in message
    assert "charged" in message
    assert "kept" in message
    job = repo.get(job_id)
    assert job.state == JobState.RUNNING
    assert job.lease_owner == "w"
    assert not job.cancel_requested
    repo.succeed(job_id, "w", [], charged=True)
    assert repo.get(job_id).state == JobState.SUCCEEDED
    with pytest.raises(JobStateError):
        control.retry(job_id)


def test_a_job_being_reconciled_cannot_be_cancelled(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30)
    repo.mark_submitting(job_id, "w")
    repo.reconcile_later(job_id, "w", delay_s=0, category="ambiguous", message="stream dropped")
    with pytest.raises(AlreadySentError):
        JobControl(db).cancel(job_id)
    assert repo.get(job_id).state == JobState.RECONCILING


def test_cancelling_many_reports_which_stopped_and_which_were_already_sent(db: Database) -> None:
    repo = JobRepository(db)
    sent, waiting, done = repo.enqueue(spec()), repo.enqueue(spec()), repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30, limit=1)
    repo.mark_submitting(sent, "w")
    JobControl(db).cancel(done)
    report = JobControl(db).cancel_many([sent, waiting, done])
    assert report.cancelled == [waiting]
    assert report.already_sent == [sent]
    assert report.already_finished == [done]


def test_a_pipeline_child_waits_for_its_image_and_gets_it_as_start_frame(db: Database) -> None:
    repo = JobRepository(db)
    parent = repo.enqueue(spec(mode="image"))
    child = repo.enqueue(spec(mode="frames", parent_id=parent, blocked=True))
    assert [j.id for j in repo.claim("w", providers=["fake"], lease_s=30, limit=5)] == [parent]
    repo.succeed(parent, "w", [{"path": "/out/a_frame.png"}])
    job = repo.get(child)
    assert job.state == JobState.QUEUED
    assert job.request["start_image"] == "/out/a_frame.png"


def test_a_failed_image_fails_its_pipeline_video(db: Database) -> None:
    repo = JobRepository(db)
    parent = repo.enqueue(spec(mode="image"))
    child = repo.enqueue(spec(mode="frames", parent_id=parent, blocked=True))
    repo.claim("w", providers=["fake"], lease_s=30)
    repo.fail(parent, "w", category="unsafe_content", message="blocked")
    job = repo.get(child)
    assert job.state == JobState.FAILED
    assert "blocked" in (job.error_message or "")


def test_pausing_a_batch_holds_its_queued_jobs(db: Database) -> None:
    from framecast.db.models import Batch

    repo = JobRepository(db)
    with db.session() as s:
        batch = Batch(
            kind="aroll", provider="fake", out_dir="/o", source_path="/s", source_format="txt", options={}
        )
        s.add(batch)
        s.flush()
        batch_id = batch.id
    job_id = repo.enqueue(spec(batch_id=batch_id))
    JobControl(db).set_batch_paused(batch_id, True)
    assert repo.claim("w", providers=["fake"], lease_s=30) == []
    assert repo.pending(batch_id=batch_id) == 0
    JobControl(db).set_batch_paused(batch_id, False)
    assert [j.id for j in repo.claim("w", providers=["fake"], lease_s=30)] == [job_id]


def _batch(db: Database) -> int:
    from framecast.db.models import Batch

    with db.session() as s:
        batch = Batch(
            kind="aroll", provider="fake", out_dir="/o", source_path="/s", source_format="txt", options={}
        )
        s.add(batch)
        s.flush()
        return batch.id


def test_a_job_retried_while_its_batch_is_paused_is_never_claimable(db: Database) -> None:
    repo = JobRepository(db)
    control = JobControl(db)
    batch_id = _batch(db)
    job_id = repo.enqueue(spec(batch_id=batch_id))
    control.cancel(job_id)
    control.set_batch_paused(batch_id, True)
    control.retry(job_id)
    # The moment the retry commits, a worker's claim must find nothing: the job waits with its batch.
    assert repo.get(job_id).state == JobState.PAUSED.value
    assert repo.claim("w", providers=["fake"], lease_s=30) == []
    control.set_batch_paused(batch_id, False)
    assert [j.id for j in repo.claim("w", providers=["fake"], lease_s=30)] == [job_id]


def test_a_queued_job_of_a_paused_batch_is_not_claimed(db: Database) -> None:
    from framecast.db.models import GENERATION_KIND, Batch, Job

    repo = JobRepository(db)
    batch_id = _batch(db)
    job_id = repo.enqueue(spec(batch_id=batch_id))
    other = repo.enqueue(spec(kind="test.other", provider="local"))
    with db.session() as s:
        # However a job got to QUEUED in a paused batch, no claim shape starts it.
        s.get_one(Batch, batch_id).paused = True
    assert repo.get(job_id).state == JobState.QUEUED.value
    assert repo.claim("w", providers=["fake"], lease_s=30, limit=5) == []
    assert repo.claim("w", kinds=[GENERATION_KIND], providers=None, lease_s=30, limit=5) == []
    assert [j.id for j in repo.claim("w", kinds=["test.other"], providers=None, lease_s=30)] == [other]
    with db.session() as s:
        s.get_one(Batch, batch_id).paused = False
        assert s.get_one(Job, job_id).state == JobState.QUEUED.value
    assert [j.id for j in repo.claim("w", providers=["fake"], lease_s=30)] == [job_id]


def test_a_pipeline_video_paused_while_its_image_ran_gets_the_image_and_waits(db: Database) -> None:
    repo = JobRepository(db)
    control = JobControl(db)
    batch_id = _batch(db)
    parent = repo.enqueue(spec(mode="image", batch_id=batch_id))
    child = repo.enqueue(spec(mode="frames", parent_id=parent, blocked=True, batch_id=batch_id))
    assert [j.id for j in repo.claim("w", providers=["fake"], lease_s=30)] == [parent]
    control.set_batch_paused(batch_id, True)
    repo.succeed(parent, "w", [{"path": "/out/a_frame.png"}])
    job = repo.get(child)
    assert (job.state, job.request["start_image"]) == (JobState.PAUSED.value, "/out/a_frame.png")
    control.set_batch_paused(batch_id, False)
    assert [j.id for j in repo.claim("w", providers=["fake"], lease_s=30)] == [child]


def test_heartbeat_extends_only_the_holders_leases(db: Database) -> None:
    repo = JobRepository(db)
    repo.enqueue(spec())
    repo.enqueue(spec())
    repo.claim("w1", providers=["fake"], lease_s=1)
    assert repo.heartbeat("w1", 60) == 1
    assert repo.heartbeat("w2", 60) == 0


def test_a_users_concurrency_preference_caps_their_running_jobs(db: Database) -> None:
    from framecast.db.accounts import User

    with db.session() as s:
        capped = User(email="c@example.com", name="C", password_hash="x", preferences={"concurrency": 2})
        free = User(email="f@example.com", name="F", password_hash="x", preferences={})
        s.add_all([capped, free])
        s.flush()
        capped_id, free_id = capped.id, free.id
    repo = JobRepository(db)
    capped_jobs = [repo.enqueue(spec(owner_id=capped_id)) for _ in range(4)]
    free_jobs = [repo.enqueue(spec(owner_id=free_id)) for _ in range(3)]
    first = repo.claim("w1", providers=["fake"], lease_s=30, limit=10)
    assert sorted(j.id for j in first) == sorted(capped_jobs[:2] + free_jobs)
    assert repo.claim("w2", providers=["fake"], lease_s=30, limit=10) == []  # the cap holds across workers
    repo.succeed(capped_jobs[0], "w1", [])
    assert [j.id for j in repo.claim("w2", providers=["fake"], lease_s=30, limit=10)] == [capped_jobs[2]]


def test_other_kinds_neither_count_against_nor_wait_for_a_users_generation_cap(db: Database) -> None:
    from framecast.db.accounts import User

    with db.session() as s:
        user = User(email="c@example.com", name="C", password_hash="x", preferences={"concurrency": 1})
        s.add(user)
        s.flush()
        owner = user.id
    repo = JobRepository(db)
    generations = [repo.enqueue(spec(owner_id=owner)) for _ in range(2)]
    builds = [repo.enqueue(spec(owner_id=owner, kind="test.build")) for _ in range(2)]

    claimed = repo.claim("w1", providers=["fake"], lease_s=30, limit=10)

    # One generation (the cap), and both builds: a build running does not block the next generation.
    assert sorted(j.id for j in claimed) == sorted([generations[0], *builds])
    assert repo.claim("w2", providers=["fake"], lease_s=30, limit=10) == []
    repo.succeed(generations[0], "w1", [])
    assert [j.id for j in repo.claim("w2", providers=["fake"], lease_s=30, limit=10)] == [generations[1]]


def _statements(db: Database) -> list[tuple[str, bool]]:
    """Record each statement sent on ``db`` from now on: its verb, and whether it ran in autocommit
    (PostgreSQL: no BEGIN before it, no COMMIT after; SQLite's BEGIN IMMEDIATE is left out)."""
    sent: list[tuple[str, bool]] = []

    def listen(_conn: object, cursor: Any, statement: str, *_: object) -> None:
        if not statement.startswith("BEGIN"):
            sent.append((statement.split()[0].upper(), getattr(cursor.connection, "autocommit", False)))

    event.listen(db.engine, "before_cursor_execute", listen)
    return sent


def test_a_success_with_nothing_to_record_is_one_statement_outside_a_transaction_on_postgresql(
    db: Database,
) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30)
    sent = _statements(db)
    repo.succeed(job_id, "w", [{"path": "/out/a.mp4"}], charged=True)
    assert sent == [("UPDATE", db.engine.dialect.name == "postgresql")]
    job = repo.get(job_id)
    assert (job.state, job.lease_owner, job.lease_expires_at) == (JobState.SUCCEEDED.value, None, None)
    assert (job.outputs, job.charged, job.charges, job.progress_percent) == (
        [{"path": "/out/a.mp4"}],
        True,
        1,
        100,
    )
    assert job.finished_at is not None


def test_a_success_with_nothing_to_record_still_releases_the_pipeline_jobs_waiting_for_it(
    db: Database,
) -> None:
    repo = JobRepository(db)
    batch_id = _batch(db)
    parent = repo.enqueue(spec(mode="image", batch_id=batch_id))
    blocked = repo.enqueue(spec(mode="frames", parent_id=parent, blocked=True, batch_id=batch_id))
    repo.claim("w", providers=["fake"], lease_s=30)
    repo.succeed(parent, "w", [{"path": "/out/a_frame.png"}], on_success=None)
    job = repo.get(blocked)
    assert (job.state, job.request["start_image"]) == (JobState.QUEUED.value, "/out/a_frame.png")
    assert repo.get(parent).state == JobState.SUCCEEDED.value


def test_a_success_from_a_worker_that_lost_the_job_changes_nothing(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w1", providers=["fake"], lease_s=30)
    with db.session() as s:
        s.execute(update(Job).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    repo.recover_expired()
    repo.claim("w2", providers=["fake"], lease_s=30)
    with pytest.raises(LeaseLostError):
        repo.succeed(job_id, "w1", [{"path": "/out/late.mp4"}], charged=True)
    job = repo.get(job_id)
    assert (job.state, job.lease_owner, job.outputs, job.charges) == (JobState.RUNNING.value, "w2", [], 0)


def test_a_job_cancelled_while_held_cannot_succeed(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30)
    JobControl(db).cancel(job_id)
    with pytest.raises(JobStateError):
        repo.succeed(job_id, "w", [{"path": "/out/a.mp4"}])
    assert repo.get(job_id).state == JobState.CANCELLED.value


def test_a_success_of_a_job_that_is_gone_is_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError):
        JobRepository(db).succeed(12345, "w", [])


def test_a_kinds_on_success_commits_with_the_success_or_not_at_all(db: Database) -> None:
    repo = JobRepository(db)
    job_id = repo.enqueue(spec())
    repo.claim("w", providers=["fake"], lease_s=30)
    seen: list[str] = []

    def refuse(session: Session, job: Job) -> None:
        seen.append(job.state)
        raise RuntimeError("what the success means could not be recorded")

    with pytest.raises(RuntimeError):
        repo.succeed(job_id, "w", [{"path": "/out/a.mp4"}], on_success=refuse)
    assert seen == [JobState.SUCCEEDED.value]
    job = repo.get(job_id)
    assert (job.state, job.lease_owner, job.outputs) == (JobState.RUNNING.value, "w", [])
    repo.succeed(job_id, "w", [{"path": "/out/a.mp4"}], on_success=lambda session, job: seen.append("again"))
    assert seen[-1] == "again"
    assert repo.get(job_id).state == JobState.SUCCEEDED.value
