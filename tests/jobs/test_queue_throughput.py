"""bench/queue_throughput.py run small: in both systems every no-op job ends SUCCEEDED, run exactly
once across the worker processes. Correctness only; the rates are the bench's business."""

from __future__ import annotations

import pytest
from bench.queue_throughput import procrastinate_schema, run_framecast, run_procrastinate

from tests.conftest import POSTGRES_URL

pytest.importorskip("procrastinate", reason="the dev extra installs procrastinate")

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_two_framecast_worker_processes_run_every_noop_job_exactly_once(postgres_url: str) -> None:
    result = run_framecast(postgres_url, jobs=50, workers=2, concurrency=2)
    assert result.succeeded == 50
    assert sorted(result.ran) == sorted(set(result.ran))
    assert len(result.ran) == 50
    assert result.exactly_once


def test_two_procrastinate_worker_processes_run_every_noop_job_exactly_once() -> None:
    with procrastinate_schema(POSTGRES_URL) as uri:
        result = run_procrastinate(uri, jobs=50, workers=2, concurrency=2)
    assert result.succeeded == 50
    assert sorted(result.ran) == sorted(set(result.ran))
    assert len(result.ran) == 50
    assert result.exactly_once
