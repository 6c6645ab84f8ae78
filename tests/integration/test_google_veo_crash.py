"""kill -9 in the middle of a 20-item A-roll batch on Google Veo (the real SDK against the emulator,
with faults), then the same command again: 20 videos, and exactly 20 operations ever created."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.google_veo.faults import FaultKind
from framecast.emulators.google_veo.testing import EmulatorHandle, running_emulator
from tests.integration.conftest import framecast, is_mp4, write_frame
from tests.integration.test_batch_cli import write_blocks

pytestmark = pytest.mark.timeout(300)
API_KEY = "k"
ITEMS = 20
# Faults the engine gets past with the one operation it created (or none): refusals before an
# operation exists, and polls cut or refused. (An operation that errors or is filtered is a failed
# generation: not part of a run that must end 20/20.)
RECOVERABLE = [kind for kind in FaultKind if not kind.creates]


@pytest.fixture
def google(tmp_path: Path) -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(
        latency=1.0, api_key=API_KEY, media_seconds=1.0, media_size=96, media_dir=tmp_path / "media"
    )
    with running_emulator(config) as handle:
        yield handle


def _all_slots_polling(database: Path) -> bool:
    """Every one of the batch's four slots holds an operation whose name is stored: no create call
    is on its way, so a kill now cannot leave an operation nobody knows the name of (that job would
    rightly end "may have been started", never resent)."""
    if not database.exists():
        return False
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as conn:
        rows = conn.execute("SELECT provider_ids FROM jobs WHERE state = 'running'").fetchall()
    return len(rows) == 4 and all(json.loads(ids or "[]") for (ids,) in rows)


def test_kill_9_mid_batch_then_rerun_creates_each_operation_once(
    google: EmulatorHandle, tmp_path: Path, isolated_env: Path
) -> None:
    google.set_faults(fault_rate=0.2, seed=5, kinds=RECOVERABLE)
    write_blocks(tmp_path / "aroll.txt", ITEMS)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    args = [
        "batch", "aroll", str(tmp_path / "aroll.txt"), "--frame", str(frame),
        "--provider", "google-veo", "--concurrency", "4", "--out", str(out),
    ]  # fmt: skip
    env = {
        "FRAMECAST_GOOGLE__API_KEY": API_KEY,
        "FRAMECAST_GOOGLE__BASE_URL": google.base_url,
        "FRAMECAST_GOOGLE__POLL_S": "0.2",
        "FRAMECAST_GOOGLE__CONCURRENCY": "4",
        "FRAMECAST_GOOGLE__RATE_PER_MINUTE": "6000",
        "FRAMECAST_JOBS__POLL_S": "0.05",
        "FRAMECAST_JOBS__BACKOFF_BASE_S": "0.1",
        "FRAMECAST_JOBS__BACKOFF_MAX_S": "0.5",
        "FRAMECAST_JOBS__LEASE_S": "5",
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
        while google.stats()["operations_created"] < 6 or not _all_slots_polling(database):
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, google.stats()
            time.sleep(0.05)
    finally:  # killed mid-batch, or (the test failing) not left running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    at_kill = google.stats()["operations_created"]
    assert at_kill < ITEMS, "the kill must land mid-batch"

    again = framecast(*args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    videos = sorted(out.glob("*.mp4"))
    assert len(videos) == ITEMS
    assert all(is_mp4(video) for video in videos)
    stats = google.stats()
    assert stats["operations_created"] == ITEMS, stats
