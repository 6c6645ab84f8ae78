"""Database probes: a timeout, an error, and a cap on probes left waiting in their threads."""

from __future__ import annotations

import threading
import time

import pytest

from framecast.web import monitoring
from framecast.web.monitoring import ProbeError, probe


async def test_a_probe_answers_what_its_work_returns() -> None:
    assert await probe(lambda: 42) == 42


async def test_a_failing_probe_says_the_database_answered_with_an_error() -> None:
    def broken() -> None:
        raise OSError("connection refused")

    with pytest.raises(ProbeError, match="answered with an error: OSError"):
        await probe(broken)


async def test_probes_left_waiting_are_capped_and_then_refused_at_once() -> None:
    release = threading.Event()
    try:
        for _ in range(monitoring.MAX_STUCK_PROBES):
            with pytest.raises(ProbeError, match="did not answer in time"):
                await probe(release.wait, timeout_s=0.05)
        assert monitoring.probes_waiting() == monitoring.MAX_STUCK_PROBES

        started = time.monotonic()
        with pytest.raises(ProbeError, match="still waiting"):
            await probe(lambda: None, timeout_s=10)
        assert time.monotonic() - started < 1
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while monitoring.probes_waiting():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert await probe(lambda: "back") == "back"
