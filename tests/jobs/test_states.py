import pytest

from framecast.core.errors import JobStateError
from framecast.jobs.states import ALLOWED, JobState, check_transition


def test_every_state_has_a_transition_row() -> None:
    assert set(ALLOWED) == set(JobState)


def test_a_succeeded_job_never_changes_state() -> None:
    for state in JobState:
        with pytest.raises(JobStateError, match="succeeded"):
            check_transition(JobState.SUCCEEDED, state)


def test_a_job_cannot_skip_from_queued_to_succeeded() -> None:
    with pytest.raises(JobStateError, match="from queued to succeeded"):
        check_transition(JobState.QUEUED, JobState.SUCCEEDED)
    check_transition(JobState.RUNNING, JobState.SUCCEEDED)
