"""kill -9 in the middle of a 20-item A-roll batch on GenAIPro v2 (with faults), then the same command
again: every item on disk, and no task created twice unless it had failed (and was refunded)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from tests.integration.conftest import API_KEY, V2_RECOVERABLE_KINDS, framecast, is_mp4, write_frame
from tests.integration.test_batch_cli import write_blocks
from tests.integration.test_genaipro_v2 import v2_env

pytestmark = pytest.mark.timeout(300)
ITEMS = 20
SLOTS = 4


@pytest.fixture
def genaipro(media_cache: Path) -> Iterator[EmulatorHandle]:
    # Tasks of 1.5 s: long enough for the kill to find every slot waiting on a task it has named.
    config = EmulatorConfig(
        latency=1.5, api_key=API_KEY, seed=3, media_seconds=1.0, media_size=96, media_dir=media_cache
    )
    with running_emulator(config) as handle:
        yield handle


def _all_slots_waiting_on_tasks(database: Path) -> bool:
    """Every one of the batch's slots runs a job whose task ids are stored: no submission is on its
    way, so a kill now cannot leave a task nobody knows the id of (that one is found by prompt in
    the history instead; the Google test explains the same choice)."""
    if not database.exists():
        return False
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as conn:
        rows = conn.execute("SELECT provider_ids FROM jobs WHERE state = 'running'").fetchall()
    return len(rows) == SLOTS and all(json.loads(ids or "[]") for (ids,) in rows)


def _tasks(emulator: EmulatorHandle) -> list[dict[str, object]]:
    """Every task the account ever had, from the v2 history (faults are off by now)."""
    response = httpx.get(
        emulator.root_url + "/api/v2/veo/histories",
        params={"page": 1, "page_size": 100},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
    )
    response.raise_for_status()
    body = response.json()
    assert body["total_pages"] == 1, body["total"]
    rows: list[dict[str, object]] = body["data"]
    return rows


def test_kill_9_mid_batch_then_rerun_creates_no_task_twice_unless_it_failed(
    genaipro: EmulatorHandle, tmp_path: Path, isolated_env: Path
) -> None:
    genaipro.set_faults(fault_rate=0.2, seed=5, kinds=V2_RECOVERABLE_KINDS)
    prompts = write_blocks(tmp_path / "aroll.txt", ITEMS)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    args = [
        "batch", "aroll", str(tmp_path / "aroll.txt"), "--frame", str(frame),
        "--provider", "genaipro", "--concurrency", str(SLOTS), "--out", str(out),
    ]  # fmt: skip
    env = {
        **v2_env(genaipro),
        "FRAMECAST_GENAIPRO__CONCURRENCY": str(SLOTS),
        "FRAMECAST_JOBS__LEASE_S": "4",
        "FRAMECAST_JOBS__HEARTBEAT_S": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "framecast", *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        database = isolated_env / "framecast.db"
        while genaipro.stats()["accepted"] < 6 or not _all_slots_waiting_on_tasks(database):
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, genaipro.stats()
            time.sleep(0.05)
    finally:  # killed mid-batch, or (the test failing) not left running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    at_kill = genaipro.stats()
    assert at_kill["accepted"] < ITEMS, "the kill must land mid-batch"

    again = framecast(*args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr

    videos = sorted(out.glob("*.mp4"))
    assert len(videos) == ITEMS
    assert all(video.stat().st_size > 0 and is_mp4(video) for video in videos)
    stats = genaipro.stats()
    assert sum(stats["faults"].values()) > 0, "the run must have met faults to prove anything"
    assert stats["v2_polls"] > 0
    assert set(stats["accepted_prompts"]) == set(prompts)
    # Every task beyond one per item is the resend of a task that failed and was refunded.
    assert sum(stats["accepted_prompts"].values()) == ITEMS + stats["failed"], stats
    assert stats["refunded"] == stats["failed"]
    # The same, prompt by prompt, from the account's own history: each prompt has exactly one task
    # that did not fail.
    genaipro.set_faults(fault_rate=0.0)
    tasks = _tasks(genaipro)
    assert len(tasks) == sum(stats["accepted_prompts"].values())
    kept = Counter(str(task["prompt"]) for task in tasks if task["status"] != "failed")
    assert kept == Counter(prompts), kept
