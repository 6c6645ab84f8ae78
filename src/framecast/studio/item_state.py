"""The one rule for the state of a batch item, which may have several jobs (a pipeline's image and
its video). ``results.csv``, ``failed.csv``, the batch page and the REST API all read it from here.

An item shows its most telling job's state: a job still working (running, reconciling, queued,
blocked, paused) wins over one that ended, a failure over a cancellation, and the item has
``succeeded`` only when every job has. An item *needs a re-run* only once it has ended failed or
cancelled: an item still queued, running or being reconciled may already be paid for, so it must
never be listed for running again.
"""

from __future__ import annotations

from collections.abc import Sequence

from framecast.jobs.states import JobState

# Which job decides an item's state, most telling first.
STATE_ORDER = (
    JobState.RUNNING,
    JobState.RECONCILING,
    JobState.QUEUED,
    JobState.BLOCKED,
    JobState.PAUSED,
    JobState.FAILED,
    JobState.CANCELLED,
    JobState.SUCCEEDED,
)
ACTIVE_ITEM_STATES = frozenset(STATE_ORDER[:5])
RERUN_STATES = frozenset({JobState.FAILED, JobState.CANCELLED})


def item_state(states: Sequence[JobState]) -> JobState:
    """The state an item whose jobs are in ``states`` shows (``queued`` for an item with none)."""
    present = set(states)
    return next((state for state in STATE_ORDER if state in present), JobState.QUEUED)


def needs_rerun(state: JobState) -> bool:
    """Whether an item in ``state`` belongs in ``failed.csv`` (it ended failed or cancelled)."""
    return state in RERUN_STATES
