"""What a user does to jobs and batches: cancel, retry, pause and resume.

``owner_id`` restricts every action to one user's jobs; another user's id answers ``NotFoundError``
exactly like a missing one, so ids cannot be probed.

Cancel is honest about money. A job not yet sent to its provider — waiting, paused, or held by a
worker that has not sent it — is cancelled at once (its worker finds it gone and stops). A job
already sent to a paid provider cannot be un-paid: cancelling it raises :class:`AlreadySentError`
and changes nothing, so it finishes, is charged, and its result is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from framecast.core.errors import AlreadySentError, JobStateError, NotFoundError
from framecast.db.base import utcnow
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.jobs.states import JobState
from framecast.jobs.transitions import fail_children, move, reset_for_retry

# A provider's name as users see it ("GenAIPro · Veo"), for messages.
Labeller = Callable[[str], str]
# Whether a provider's requests cost money (its ``paid`` trait); only those cannot be taken back.
PaidCheck = Callable[[str], bool]


def was_sent(job: Job) -> bool:
    """Whether the job's request may already be with its provider (and so may be charged).

    Only paid providers set the write-ahead mark, so a local render is never "sent".
    """
    return (
        job.submitted_at is not None
        or bool(job.provider_ids)
        or bool(job.outputs)
        or job.state == JobState.RECONCILING.value
    )


def already_sent_message(job_id: int, label: str) -> str:
    return (
        f"Job {job_id} was already sent to {label}, so it cannot be cancelled: it will finish and "
        "be charged, and its result will be kept."
    )


@dataclass(frozen=True)
class CancelReport:
    """What cancelling several jobs did: which stopped, which were already with the provider."""

    cancelled: list[int] = field(default_factory=list)
    already_sent: list[int] = field(default_factory=list)
    already_finished: list[int] = field(default_factory=list)


class JobControl:
    def __init__(self, db: Database, label: Labeller | None = None, paid: PaidCheck | None = None) -> None:
        self.db = db
        self._label: Labeller = label or (lambda name: name)
        # Without the providers' traits every provider is taken to be paid: the safe side for money.
        self._paid: PaidCheck = paid or (lambda name: True)

    def cancel(self, job_id: int, owner_id: int | None = None) -> JobState:
        """Cancel a job that has not been sent; return its state (an ended job is left as it is).

        Raises :class:`AlreadySentError` (nothing changes) when the job is already with a paid
        provider, and :class:`NotFoundError` for a missing or foreign id.
        """
        return self._cancel(job_id, owner_id)[0]

    def cancel_many(self, job_ids: Iterable[int], owner_id: int | None = None) -> CancelReport:
        """Cancel each job that can be; report which stopped, which were already sent and which
        had already ended."""
        report = CancelReport()
        for job_id in job_ids:
            try:
                _, changed = self._cancel(job_id, owner_id)
            except AlreadySentError:
                report.already_sent.append(job_id)
                continue
            (report.cancelled if changed else report.already_finished).append(job_id)
        return report

    def _cancel(self, job_id: int, owner_id: int | None) -> tuple[JobState, bool]:
        """(state after, whether this call cancelled it); raises as :meth:`cancel` does."""
        with self.db.session() as session:
            job = _owned(session, job_id, owner_id)
            state = JobState(job.state)
            if state.is_terminal:
                return state, False
            if was_sent(job) and self._paid(job.provider):
                raise AlreadySentError(already_sent_message(job.id, self._label(job.provider)))
            _cancel_now(session, job)
            return JobState.CANCELLED, True

    def retry(self, job_id: int, owner_id: int | None = None) -> None:
        """Queue a failed or cancelled job again (held with its batch if that is paused); raises
        ``JobStateError`` for any other state."""
        with self.db.session() as session:
            batch_id = session.scalar(select(Job.batch_id).where(Job.id == job_id))
            if batch_id is not None:
                # The batch before the job, in the order a pause takes them: no deadlock.
                session.get(Batch, batch_id, with_for_update=True)
            job = _owned(session, job_id, owner_id)
            if JobState(job.state) not in (JobState.FAILED, JobState.CANCELLED):
                raise JobStateError(
                    f"job {job_id} is {job.state}; only failed or cancelled jobs can be retried"
                )
            reset_for_retry(session, job)

    def set_batch_paused(self, batch_id: int, paused: bool, owner_id: int | None = None) -> None:
        """Hold a batch's waiting jobs (running ones finish), or let them go again."""
        with self.db.session() as session:
            # Locked: a retry of one of its jobs reads ``paused`` under the same lock.
            batch = session.get(Batch, batch_id, with_for_update=True)
            if batch is None or (owner_id is not None and batch.owner_id != owner_id):
                raise NotFoundError(f"no batch {batch_id}")
            batch.paused = paused
            if paused:
                session.execute(
                    update(Job)
                    .where(Job.batch_id == batch_id, Job.state.in_([JobState.QUEUED, JobState.BLOCKED]))
                    .values(state=JobState.PAUSED.value)
                )
                return
            for job in session.scalars(
                select(Job).where(Job.batch_id == batch_id, Job.state == JobState.PAUSED)
            ):
                parent = session.get(Job, job.parent_id) if job.parent_id else None
                waiting = parent is not None and parent.state != JobState.SUCCEEDED.value
                job.state = (JobState.BLOCKED if waiting else JobState.QUEUED).value


def _cancel_now(session: Session, job: Job) -> None:
    """End ``job`` as cancelled and take it from any worker holding it (whose next write fails)."""
    job.cancel_requested = True
    move(job, JobState.CANCELLED)
    job.lease_owner = None
    job.lease_expires_at = None
    job.finished_at = utcnow()
    fail_children(session, job, JobState.CANCELLED)


def _owned(session: Session, job_id: int, owner_id: int | None) -> Job:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or (owner_id is not None and job.owner_id != owner_id):
        raise NotFoundError(f"no job {job_id}")
    return job
