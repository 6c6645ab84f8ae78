"""State changes shared by the worker-facing repository and the user-facing controls.

Every function works inside the caller's session and checks each move against the state machine.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.db.base import utcnow
from framecast.db.models import Batch, Job
from framecast.jobs.states import JobState, check_transition


def move(job: Job, new: JobState) -> None:
    """Change ``job.state``; raises :class:`~framecast.core.errors.JobStateError` if not allowed."""
    check_transition(JobState(job.state), new)
    job.state = new.value
    job.updated_at = utcnow()


def release_children(session: Session, parent: Job) -> None:
    """A pipeline image succeeded: its video jobs get the image as start frame and are queued
    (those held by a paused batch get it too, and wait for the resume)."""
    first = next((o.get("path") for o in parent.outputs or [] if o.get("path")), None)
    waiting = [JobState.BLOCKED.value, JobState.PAUSED.value]
    for child in session.scalars(select(Job).where(Job.parent_id == parent.id, Job.state.in_(waiting))):
        child.request = {**child.request, "start_image": first}
        if child.state == JobState.BLOCKED.value:
            move(child, JobState.QUEUED)
            child.not_before = utcnow()


def fail_children(session: Session, parent: Job, state: JobState = JobState.FAILED) -> None:
    """A pipeline image failed or was cancelled: its waiting video jobs end the same way."""
    waiting = [JobState.BLOCKED.value, JobState.PAUSED.value]
    for child in session.scalars(select(Job).where(Job.parent_id == parent.id, Job.state.in_(waiting))):
        move(child, state)
        child.error_category = parent.error_category
        child.error_message = f"its image step did not succeed: {parent.error_message or parent.state}"
        child.finished_at = utcnow()


def reset_for_retry(session: Session, job: Job) -> None:
    """Put a failed or cancelled job back in the queue with fresh attempts (after its parent, if any).

    A job of a paused batch goes straight to PAUSED in the same transaction, never QUEUED for a
    moment a worker could claim it in; the batch row is locked so a pause or resume cannot slip
    between reading it and writing the job.
    """
    parent = session.get(Job, job.parent_id) if job.parent_id is not None else None
    batch = session.get(Batch, job.batch_id, with_for_update=True) if job.batch_id is not None else None
    move(job, JobState.QUEUED)
    if batch is not None and batch.paused:
        job.state = JobState.PAUSED.value
        if parent is not None and JobState(parent.state) in (JobState.FAILED, JobState.CANCELLED):
            reset_for_retry(session, parent)
    elif parent is not None and parent.state != JobState.SUCCEEDED.value:
        job.state = JobState.BLOCKED.value
        if JobState(parent.state) in (JobState.FAILED, JobState.CANCELLED):
            reset_for_retry(session, parent)
    job.attempts = 0
    job.charged = False  # the new attempt has not been charged (yet); ``charges`` keeps the past
    job.cancel_requested = False
    job.error_category = None
    job.error_message = None
    job.not_before = utcnow()
    job.finished_at = None
    job.progress_status = None
    job.progress_percent = None
