"""The job state machine. Every change of ``Job.state`` goes through :func:`check_transition`."""

from __future__ import annotations

from enum import StrEnum

from framecast.core.errors import JobStateError


class JobState(StrEnum):
    # Waiting for its parent job (pipeline: the image that becomes this video's start frame).
    BLOCKED = "blocked"
    # Ready to be claimed once ``not_before`` has passed.
    QUEUED = "queued"
    # Held by one worker under a lease; it may be submitting, streaming or downloading.
    RUNNING = "running"
    # A submission may have been charged but its result is unknown: a worker must find it in the
    # provider's history before anything is sent again. Claimed under a lease like RUNNING.
    RECONCILING = "reconciling"
    # Held back by a paused batch; resumes to QUEUED.
    PAUSED = "paused"
    # Every output is on disk and verified.
    SUCCEEDED = "succeeded"
    # Gave up: a permanent error, or attempts exhausted. ``retry`` puts it back in the queue.
    FAILED = "failed"
    # Stopped by the user. ``retry`` puts it back in the queue.
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES

    @property
    def is_active(self) -> bool:
        return self in (JobState.RUNNING, JobState.RECONCILING)


TERMINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})

ALLOWED: dict[JobState, frozenset[JobState]] = {
    JobState.BLOCKED: frozenset({JobState.QUEUED, JobState.CANCELLED, JobState.FAILED, JobState.PAUSED}),
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.RECONCILING, JobState.CANCELLED, JobState.PAUSED}),
    JobState.RUNNING: frozenset(
        {JobState.QUEUED, JobState.RECONCILING, JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}
    ),
    JobState.RECONCILING: frozenset(
        {JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}
    ),
    JobState.PAUSED: frozenset({JobState.QUEUED, JobState.BLOCKED, JobState.CANCELLED}),
    JobState.SUCCEEDED: frozenset(),
    JobState.FAILED: frozenset({JobState.QUEUED}),
    JobState.CANCELLED: frozenset({JobState.QUEUED}),
}


def check_transition(current: JobState, new: JobState) -> None:
    """Raise :class:`JobStateError` unless ``current -> new`` is allowed."""
    if new not in ALLOWED[current]:
        raise JobStateError(f"a job cannot go from {current.value} to {new.value}")
