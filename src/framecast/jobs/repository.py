"""Durable job storage: enqueue, claim under a lease, heartbeat, finish, recover.

All methods are synchronous and short; async callers run them with ``anyio.to_thread.run_sync``.
Every state change is a compare-and-set on ``(state, lease_owner)`` so two workers can never both
own a job: a claim succeeds only for the worker whose UPDATE matched (``jobs/claims.py``), and a
success is recorded only by the worker that still holds the job.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Integer, Row, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from framecast.core.errors import JobStateError, NotFoundError
from framecast.db.base import utcnow
from framecast.db.models import GENERATION_KIND, Job, ProviderGeneration
from framecast.db.session import Database
from framecast.jobs import claims
from framecast.jobs.claims import ClaimedJob as ClaimedJob  # re-exported: callers import it from here
from framecast.jobs.leases import holder_is_dead
from framecast.jobs.states import ALLOWED, JobState, check_transition
from framecast.jobs.transitions import fail_children, move, release_children

# Called inside the transaction that marks a job SUCCEEDED (a kind's ``on_success``).
OnSuccess = Callable[[Session, Job], None]


@dataclass(frozen=True)
class JobSpec:
    """What to enqueue."""

    provider: str
    mode: str
    request: dict[str, Any]
    item_key: str | None = None
    batch_id: int | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    priority: int = 0
    max_attempts: int = 8
    blocked: bool = False
    kind: str = GENERATION_KIND


def _charge(job: Job, charged: bool) -> None:
    job.charged = charged
    if charged:
        job.charges = (job.charges or 0) + 1


class LeaseLostError(JobStateError):
    """The worker no longer holds the job (its lease expired and someone else took it)."""


def _sources(new: JobState) -> list[str]:
    """The states from which ``new`` may be reached: the compare of a compare-and-set move."""
    return [state.value for state, targets in ALLOWED.items() if new in targets]


_JOBS = claims.JOBS
_CHILD = _JOBS.alias("child")

# The success of a held job, as a compare-and-set: held by this worker, in a state SUCCEEDED may
# follow. Built once: building it cost more CPU than running it.
_SUCCEED_WHERE = (
    _JOBS.c.id == bindparam("job_id"),
    _JOBS.c.lease_owner == bindparam("worker_id"),
    # OR of equalities, not IN: a literal IN list is an expanding parameter, rendered again at
    # every execution.
    or_(*(_JOBS.c.state == state for state in _sources(JobState.SUCCEEDED))),
)
_SUCCEED_VALUES: dict[str, Any] = {
    "state": JobState.SUCCEEDED.value,
    "outputs": bindparam("new_outputs", type_=_JOBS.c.outputs.type),
    "charged": bindparam("new_charged", type_=_JOBS.c.charged.type),
    "charges": func.coalesce(_JOBS.c.charges, 0) + bindparam("charge", type_=Integer()),
    "submitted_at": None,
    "lease_owner": None,
    "lease_expires_at": None,
    "error_category": None,
    "error_message": None,
    "progress_status": "done",
    "progress_percent": 100,
    "finished_at": bindparam("now", type_=_JOBS.c.finished_at.type),
    "updated_at": bindparam("now", type_=_JOBS.c.updated_at.type),
}
# Whether a pipeline job waits for this one. (The child test takes the id as a parameter, not a
# correlation: SQLite writes RETURNING columns unqualified, so ``child.parent_id = id`` would compare
# the child with itself.)
_WAITING_CHILD = exists().where(
    _CHILD.c.parent_id == bindparam("job_id"),
    or_(_CHILD.c.state == JobState.BLOCKED.value, _CHILD.c.state == JobState.PAUSED.value),
)
# In a transaction: reads the row back (for the kind's ``on_success``) and whether a child waits
# (only then are children read and released, in the same transaction).
_SUCCEED = (
    update(_JOBS)
    .where(*_SUCCEED_WHERE)
    .values(**_SUCCEED_VALUES)
    .returning(*_JOBS.c, _WAITING_CHILD.label("has_blocked_children"))
)
# Alone, when the kind records nothing on success: a transaction by itself (one round trip in
# autocommit on PostgreSQL), so it must leave nothing else to do. It matches only a job no child
# waits for, tested in the same statement, so a child is never left BLOCKED behind a parent that
# succeeded; a job it does not match (lost, in another state, or a parent) goes the way of _SUCCEED.
_SUCCEED_ALONE = (
    update(_JOBS).where(*_SUCCEED_WHERE, ~_WAITING_CHILD).values(**_SUCCEED_VALUES).returning(_JOBS.c.id)
)


def _as_loaded(session: Session, row: Row[Any]) -> Job:
    """The Job of a row an UPDATE returned, in ``session`` as if read from it (no second read)."""
    job = Job(**{column.key: row._mapping[column] for column in _JOBS.c})
    make_transient_to_detached(job)
    session.add(job)
    return job


class JobRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- creating and reading -------------------------------------------------------------------

    def enqueue(self, spec: JobSpec, session: Session | None = None) -> int:
        job = Job(
            owner_id=spec.owner_id,
            batch_id=spec.batch_id,
            item_key=spec.item_key,
            parent_id=spec.parent_id,
            kind=spec.kind,
            provider=spec.provider,
            mode=spec.mode,
            request=spec.request,
            state=(JobState.BLOCKED if spec.blocked else JobState.QUEUED).value,
            priority=spec.priority,
            max_attempts=spec.max_attempts,
            provider_ids=[],
            outputs=[],
        )
        if session is not None:
            session.add(job)
            session.flush()
            return job.id
        with self.db.session() as own:
            own.add(job)
            own.flush()
            return job.id

    def get(self, job_id: int, owner_id: int | None = None) -> Job:
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None or (owner_id is not None and job.owner_id != owner_id):
                raise NotFoundError(f"no job {job_id}")
            session.expunge(job)
            return job

    def list_jobs(
        self,
        *,
        states: Collection[JobState] | None = None,
        batch_id: int | None = None,
        owner_id: int | None = None,
        limit: int = 100,
    ) -> list[Job]:
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if states:
            query = query.where(Job.state.in_([s.value for s in states]))
        if batch_id is not None:
            query = query.where(Job.batch_id == batch_id)
        if owner_id is not None:
            query = query.where(Job.owner_id == owner_id)
        with self.db.session() as session:
            jobs = list(session.scalars(query))
            session.expunge_all()
            return jobs

    def counts(self, batch_id: int) -> dict[JobState, int]:
        with self.db.session() as session:
            rows = session.execute(
                select(Job.state, func.count()).where(Job.batch_id == batch_id).group_by(Job.state)
            ).all()
        return {JobState(state): int(n) for state, n in rows}

    # -- claiming -------------------------------------------------------------------------------

    def claim(
        self,
        worker_id: str,
        *,
        providers: Collection[str] | None,
        lease_s: float,
        limit: int = 1,
        batch_id: int | None = None,
        job_ids: Collection[int] | None = None,
        reconciling: bool = False,
        kinds: Collection[str] | None = None,
    ) -> list[ClaimedJob]:
        """Take up to ``limit`` ready jobs: QUEUED ones (or, with ``reconciling``, RECONCILING ones)
        of ``kinds`` on ``providers`` (None: any), in order of priority, then age.

        A user's queued generations are passed over while that user already has as many generations
        running (on any worker) as their ``concurrency`` preference allows; other kinds are not.
        """
        scope = claims.ClaimScope(providers=providers, kinds=kinds, batch_id=batch_id, job_ids=job_ids)
        return claims.claim(self.db, worker_id, scope, lease_s=lease_s, limit=limit, reconciling=reconciling)

    def heartbeat(self, worker_id: str, lease_s: float, *, kinds: Collection[str] | None = None) -> int:
        """Extend every lease this worker holds (on jobs of ``kinds``; None: all); returns how many."""
        now = utcnow()
        held = [Job.lease_owner == worker_id, Job.state.in_([JobState.RUNNING, JobState.RECONCILING])]
        if kinds is not None:
            held.append(Job.kind.in_(list(kinds)))
        with self.db.session() as session:
            result = session.execute(
                update(Job).where(*held).values(lease_expires_at=now + timedelta(seconds=lease_s))
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def cancelled_among(self, job_ids: Collection[int]) -> list[int]:
        """Those of ``job_ids`` the user has cancelled (a worker holding one stops working on it)."""
        if not job_ids:
            return []
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Job.id).where(Job.id.in_(list(job_ids)), Job.state == JobState.CANCELLED.value)
                )
            )

    def recover_expired(self) -> list[int]:
        """Release leases that expired or whose holder on this host has died.

        A RUNNING job whose write-ahead ``submitted_at`` is set may have been charged: it becomes
        RECONCILING so its result is looked up in the provider's history before anything is sent
        again. One that never submitted goes back to QUEUED.
        """
        now = utcnow()
        recovered: list[int] = []
        with self.db.session() as session:
            held = session.scalars(
                select(Job).where(
                    Job.state.in_([JobState.RUNNING, JobState.RECONCILING]), Job.lease_owner.is_not(None)
                )
            ).all()
            for job in held:
                expired = job.lease_expires_at is not None and job.lease_expires_at < now
                if not expired and not holder_is_dead(job.lease_owner or ""):
                    continue
                if job.state == JobState.RUNNING.value:
                    if job.submitted_at is not None or job.outputs:
                        job.state = JobState.RECONCILING.value
                        job.reconcile_since = job.reconcile_since or now
                    else:
                        job.state = JobState.QUEUED.value
                job.lease_owner = None
                job.lease_expires_at = None
                job.not_before = now
                job.progress_status = "recovered after a worker stopped"
                recovered.append(job.id)
        return recovered

    # -- transitions by the lease holder ---------------------------------------------------------

    def _held(self, session: Session, job_id: int, worker_id: str) -> Job:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None:
            raise NotFoundError(f"no job {job_id}")
        if job.lease_owner != worker_id:
            raise LeaseLostError(f"job {job_id} is no longer held by this worker")
        return job

    @staticmethod
    def _move(job: Job, new: JobState) -> None:
        move(job, new)

    def mark_submitting(self, job_id: int, worker_id: str) -> bool:
        """Write-ahead: a possibly charged request is about to leave. Must commit before the send.

        Returns False (and marks nothing) when the user has asked to cancel the job.
        """
        with self.db.session() as session:
            job = self._held(session, job_id, worker_id)
            if job.cancel_requested:
                return False
            job.submitted_at = utcnow()
            job.progress_status = "submitting"
            return True

    def record_provider_ids(self, job_id: int, provider: str, ids: Sequence[str]) -> bool:
        """Bind provider ids to this job. False if one is already bound to another job."""
        ok = True
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFoundError(f"no job {job_id}")
            known = list(job.provider_ids or [])
            for pid in ids:
                owner = session.scalar(
                    select(ProviderGeneration.job_id).where(
                        ProviderGeneration.provider == provider, ProviderGeneration.provider_id == pid
                    )
                )
                if owner is None:
                    try:
                        with session.begin_nested():
                            session.add(ProviderGeneration(provider=provider, provider_id=pid, job_id=job_id))
                    except IntegrityError:
                        ok = False
                        continue
                elif owner != job_id:
                    ok = False
                    continue
                if pid not in known:
                    known.append(pid)
            job.provider_ids = known
        return ok

    def provider_ids_of_owner(self, owner_id: int, provider: str) -> frozenset[str]:
        """The provider ids bound to ``owner_id``'s jobs: the generations that user paid for."""
        with self.db.session() as session:
            rows = session.scalars(
                select(ProviderGeneration.provider_id)
                .join(Job, Job.id == ProviderGeneration.job_id)
                .where(ProviderGeneration.provider == provider, Job.owner_id == owner_id)
            ).all()
        return frozenset(rows)

    def charges_of_owner(self, owner_id: int, provider: str) -> list[tuple[str, int, int]]:
        """``(mode, count, charges)`` of each of ``owner_id``'s jobs on ``provider`` that was charged."""
        with self.db.session() as session:
            jobs = session.scalars(
                select(Job).where(Job.owner_id == owner_id, Job.provider == provider, Job.charges > 0)
            ).all()
            return [(job.mode, int((job.request or {}).get("count") or 1), job.charges) for job in jobs]

    def attempt_ids(
        self, job_id: int, provider: str, *, since: datetime
    ) -> tuple[tuple[str, ...], frozenset[str]]:
        """This job's provider ids split at ``since`` (its current submission): those bound since
        (the current attempt's, to look up) and those bound before (earlier attempts that failed and
        were refunded, then sent again: never the answer for this one)."""
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFoundError(f"no job {job_id}")
            rows = session.execute(
                select(ProviderGeneration.provider_id, ProviderGeneration.created_at).where(
                    ProviderGeneration.provider == provider, ProviderGeneration.job_id == job_id
                )
            ).all()
            known = list(job.provider_ids or [])
        earlier = frozenset(pid for pid, created_at in rows if created_at < since)
        return tuple(pid for pid in known if pid not in earlier), earlier

    def bound_ids(self, provider: str, *, except_job: int) -> frozenset[str]:
        """Provider ids already bound to other jobs (never to be matched again)."""
        with self.db.session() as session:
            rows = session.scalars(
                select(ProviderGeneration.provider_id).where(
                    ProviderGeneration.provider == provider, ProviderGeneration.job_id != except_job
                )
            ).all()
        return frozenset(rows)

    def set_progress(self, job_id: int, status: str, percent: int | None) -> None:
        with self.db.session() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(progress_status=status[:64], progress_percent=percent, updated_at=utcnow())
            )

    def save_outputs(self, job_id: int, worker_id: str, outputs: list[dict[str, Any]]) -> None:
        """Persist what was produced before downloading, so a crash mid-download loses nothing."""
        with self.db.session() as session:
            job = self._held(session, job_id, worker_id)
            job.outputs = outputs

    def succeed(
        self,
        job_id: int,
        worker_id: str,
        outputs: list[dict[str, Any]],
        *,
        charged: bool = False,
        on_success: OnSuccess | None = None,
    ) -> None:
        """The outputs are on disk; ``charged`` when a paid provider made them. ``on_success`` (the
        kind's) runs in the same transaction, so the job and what its success means commit together.

        One compare-and-set UPDATE (held by ``worker_id``, in a state SUCCEEDED may follow) that reads
        the row back for ``on_success``, not a locked read, a change and a flush. With no
        ``on_success`` and no pipeline child waiting for the job, that UPDATE runs alone, with no
        transaction around it (one round trip on PostgreSQL, not three). Raises
        :class:`LeaseLostError` when the worker no longer holds the job, :class:`JobStateError` when
        its state does not allow success, :class:`NotFoundError` when it is gone."""
        params = {
            "job_id": job_id,
            "worker_id": worker_id,
            "new_outputs": outputs,
            "new_charged": charged,
            "charge": 1 if charged else 0,
            "now": utcnow(),
        }
        if on_success is None:
            with self.db.single_statement() as conn:
                if conn.execute(_SUCCEED_ALONE, params).first() is not None:
                    return
        # The kind records its success, a child waits, or the job is not this worker's to succeed
        # (refused below, after the transaction's own compare-and-set).
        with self.db.session() as session:
            row = session.connection().execute(_SUCCEED, params).one_or_none()
            if row is None:
                self._refuse(session, job_id, worker_id, JobState.SUCCEEDED)
            if on_success is None and not row.has_blocked_children:
                return
            job = _as_loaded(session, row)
            if on_success is not None:
                on_success(session, job)
            if row.has_blocked_children:
                release_children(session, job)

    @staticmethod
    def _refuse(session: Session, job_id: int, worker_id: str, new: JobState) -> NoReturn:
        """Why a compare-and-set move to ``new`` matched nothing, raised as the locked read-and-check
        would have: the job is gone, no longer this worker's, or in a state ``new`` may not follow."""
        found = session.execute(select(Job.state, Job.lease_owner).where(Job.id == job_id)).first()
        if found is None:
            raise NotFoundError(f"no job {job_id}")
        if found.lease_owner != worker_id:
            raise LeaseLostError(f"job {job_id} is no longer held by this worker")
        check_transition(JobState(found.state), new)
        raise LeaseLostError(f"job {job_id} changed while this worker was finishing it")

    def requeue(
        self,
        job_id: int,
        worker_id: str,
        *,
        delay_s: float,
        category: str | None,
        message: str | None,
        count_attempt: bool = True,
    ) -> JobState:
        """The last submission is known not to have been charged: queue again, or fail when out of tries.

        A rate-limit refusal does not count as an attempt: waiting for the provider is expected.
        """
        with self.db.session() as session:
            job = self._held(session, job_id, worker_id)
            if count_attempt:
                job.attempts += 1
            job.submitted_at = None
            job.reconcile_since = None
            job.lease_owner = None
            job.lease_expires_at = None
            job.error_category = category
            job.error_message = message
            if job.attempts >= job.max_attempts:
                self._move(job, JobState.FAILED)
                job.error_message = f"{message} (gave up after {job.attempts} attempts)"
                job.finished_at = utcnow()
                fail_children(session, job)
                return JobState.FAILED
            if job.cancel_requested:
                self._move(job, JobState.CANCELLED)
                job.finished_at = utcnow()
                return JobState.CANCELLED
            self._move(job, JobState.QUEUED)
            job.not_before = utcnow() + timedelta(seconds=delay_s)
            job.progress_status = f"waiting {delay_s:.0f}s to retry"
            return JobState.QUEUED

    def reconcile_later(
        self,
        job_id: int,
        worker_id: str,
        *,
        delay_s: float,
        category: str | None,
        message: str | None,
        count_attempt: bool = False,
    ) -> None:
        """The outcome is unknown: keep the write-ahead mark and look in history again after a pause.

        ``count_attempt``: this look-up was forced by a crash, which counts as an attempt; out of
        attempts, the job fails (with the message) instead of being looked up for ever.
        """
        with self.db.session() as session:
            job = self._held(session, job_id, worker_id)
            if count_attempt:
                job.attempts += 1
                if job.attempts >= job.max_attempts:
                    self._move(job, JobState.FAILED)
                    job.lease_owner = None
                    job.lease_expires_at = None
                    job.error_category = category
                    job.error_message = f"{message} (gave up after {job.attempts} attempts)"
                    job.finished_at = utcnow()
                    fail_children(session, job)
                    return
            if job.state != JobState.RECONCILING.value:
                self._move(job, JobState.RECONCILING)
            job.reconcile_since = job.reconcile_since or utcnow()
            job.lease_owner = None
            job.lease_expires_at = None
            job.not_before = utcnow() + timedelta(seconds=delay_s)
            if message:
                job.error_category = category
                job.error_message = message
            job.progress_status = "checking provider history"

    def fail(
        self,
        job_id: int,
        worker_id: str,
        *,
        category: str | None,
        message: str,
        charged: bool = False,
    ) -> None:
        """Give up; ``charged`` when the provider accepted the work and keeps the credits."""
        with self.db.session() as session:
            job = self._held(session, job_id, worker_id)
            self._move(job, JobState.FAILED)
            _charge(job, charged)
            job.submitted_at = None
            job.reconcile_since = None
            job.lease_owner = None
            job.lease_expires_at = None
            job.error_category = category
            job.error_message = message
            job.finished_at = utcnow()
            fail_children(session, job)

    def release_cancelled(self, job_id: int, worker_id: str) -> None:
        with self.db.session() as session:
            job = self._held(session, job_id, worker_id)
            self._move(job, JobState.CANCELLED)
            job.lease_owner = None
            job.lease_expires_at = None
            job.finished_at = utcnow()
            fail_children(session, job, JobState.CANCELLED)

    def release(self, job_id: int, worker_id: str) -> None:
        """Give a job back without a result (shutdown): reconcile if a submission may be in flight."""
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None or job.lease_owner != worker_id:
                return
            if job.state == JobState.RUNNING.value:
                if job.submitted_at is not None or job.outputs:
                    self._move(job, JobState.RECONCILING)
                    job.reconcile_since = job.reconcile_since or utcnow()
                else:
                    self._move(job, JobState.QUEUED)
            job.lease_owner = None
            job.lease_expires_at = None
            job.not_before = utcnow()

    def cancel_requested(self, job_id: int) -> bool:
        with self.db.session() as session:
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def pending(
        self,
        *,
        batch_id: int | None = None,
        job_ids: Collection[int] | None = None,
        kinds: Collection[str] | None = None,
    ) -> int:
        """Jobs in scope (of ``kinds``; None: any) that are not finished (paused ones excluded: they
        wait for the user)."""
        finished = [
            s.value for s in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.PAUSED)
        ]
        query = select(func.count()).select_from(Job).where(Job.state.not_in(finished))
        if batch_id is not None:
            query = query.where(Job.batch_id == batch_id)
        if job_ids is not None:
            query = query.where(Job.id.in_(list(job_ids)))
        if kinds is not None:
            query = query.where(Job.kind.in_(list(kinds)))
        with self.db.session() as session:
            return int(session.scalar(query) or 0)
