"""Three worker processes on one PostgreSQL queue: every job runs once, every result lands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from framecast.db.session import Database
from framecast.emulators.genaipro.testing import EmulatorHandle
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.studio.requests import request_to_json
from tests.integration.conftest import RECOVERABLE_KINDS, genaipro_env, is_mp4


@pytest.mark.postgres
def test_three_workers_share_one_queue_without_running_a_job_twice(
    emulator: EmulatorHandle, postgres_url: str, tmp_path: Path
) -> None:
    emulator.reset(latency=0.5)
    emulator.set_faults(fault_rate=0.15, seed=21, kinds=RECOVERABLE_KINDS)
    db = Database(postgres_url)
    repo = JobRepository(db)
    out = tmp_path / "out"
    ids = []
    for n in range(24):
        request = GenerationRequest(Mode.TEXT, f"prompt number {n}", Aspect.LANDSCAPE, 1)
        ids.append(
            repo.enqueue(
                JobSpec(
                    provider="genaipro",
                    mode="text",
                    request=request_to_json(request, out_dir=out, stems=[f"v{n}"]),
                )
            )
        )
    env = {**os.environ, **genaipro_env(emulator), "FRAMECAST_DATABASE_URL": postgres_url}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "framecast",
                "worker",
                "--provider",
                "genaipro",
                "--concurrency",
                "4",
                "--until-idle",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [w.communicate(timeout=240)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], errors
    jobs = [repo.get(i) for i in ids]
    assert {j.state for j in jobs} == {JobState.SUCCEEDED.value}
    assert all(is_mp4(Path(j.outputs[0]["path"])) for j in jobs)
    stats = emulator.stats()
    assert stats["accepted"] == 24
    assert max(stats["accepted_prompts"].values()) == 1
    owners = {j.lease_owner for j in jobs}
    assert owners == {None}
    db.dispose()
