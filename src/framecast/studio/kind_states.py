"""The one rule that turns a job's state into what a page shows while it waits for a ZIP or an
import: ``queued``, ``running``, ``succeeded`` or ``failed`` (and ``none`` before anything was
asked for, decided by the caller)."""

from __future__ import annotations

from typing import Literal

from framecast.jobs.states import JobState

ShownState = Literal["none", "queued", "running", "succeeded", "failed"]

_SHOWN: dict[JobState, ShownState] = {
    JobState.BLOCKED: "queued",
    JobState.QUEUED: "queued",
    JobState.PAUSED: "queued",
    JobState.RUNNING: "running",
    # Nothing of these kinds is paid for; a job looked at again after a crash is simply at work.
    JobState.RECONCILING: "running",
    JobState.SUCCEEDED: "succeeded",
    JobState.FAILED: "failed",
    # A user who cancels one through ``/api/jobs`` sees it as not done, like a failure.
    JobState.CANCELLED: "failed",
}


def shown_state(state: JobState) -> ShownState:
    return _SHOWN[state]


def shown_error(state: JobState, message: str | None) -> str | None:
    """What a page says went wrong: the job's own message; None unless it is shown as failed."""
    if shown_state(state) != "failed":
        return None
    if message:
        return message
    return "it was cancelled" if state is JobState.CANCELLED else "it failed without saying why"
