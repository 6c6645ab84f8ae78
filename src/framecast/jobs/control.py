"""What a user does to jobs and batches: cancel, retry, pause and resume.

``owner_id`` restricts every action to one user's jobs; another user's id answers ``NotFoundError``
exactly like a missing one, so ids cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from framecast.core.errors import JobStateError, NotFoundError
from framecast.db.base import utcnow
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.jobs.states import JobState
from framecast.jobs.transitions import fail_children, move, reset_for_retry


class JobControl:
    def __init__(self, db: Database) -> None:
        self.db = db

    def cancel(self, job_id: int, owner_id: int | None = None) -> JobState:
        """Cancel now if nobody holds the job, else ask its worker to stop at its next safe point."""
        with self.db.session() as session:
            job = _owned(session, job_id, owner_id)
            state = JobState(job.state)
            if state.is_terminal:
                return state
            job.cancel_requested = True
            if job.lease_owner is None or state in (JobState.QUEUED, JobState.PAUSED, JobState.BLOCKED):
                move(job, JobState.CANCELLED)
                job.lease_owner = None
                job.finished_at = utcnow()
                fail_children(session, job, JobState.CANCELLED)
            return JobState(job.state)

    def retry(self, job_id: int, owner_id: int | None = None) -> None:
        """Queue a failed or cancelled job again; raises ``JobStateError`` for any other state."""
        with self.db.session() as session:
            job = _owned(session, job_id, owner_id)
            if JobState(job.state) not in (JobState.FAILED, JobState.CANCELLED):
                raise JobStateError(
                    f"job {job_id} is {job.state}; only failed or cancelled jobs can be retried"
                )
            reset_for_retry(session, job)

    def set_batch_paused(self, batch_id: int, paused: bool, owner_id: int | None = None) -> None:
        """Hold a batch's waiting jobs (running ones finish), or let them go again."""
        with self.db.session() as session:
            batch = session.get(Batch, batch_id)
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


def _owned(session: Session, job_id: int, owner_id: int | None) -> Job:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or (owner_id is not None and job.owner_id != owner_id):
        raise NotFoundError(f"no job {job_id}")
    return job
