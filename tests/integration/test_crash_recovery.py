"""kill -9 in the middle of a paid batch, then the same command again: complete, nothing paid twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.integration.conftest import RECOVERABLE_KINDS, framecast, genaipro_env, is_mp4, write_frame
from tests.integration.test_batch_cli import write_blocks


def test_kill_9_mid_batch_then_rerun_completes_without_paying_twice(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.reset(latency=1.5)
    emulator.set_faults(fault_rate=0.2, seed=3, kinds=RECOVERABLE_KINDS)
    prompts = write_blocks(tmp_path / "aroll.txt", 30)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    args = [
        "batch",
        "aroll",
        str(tmp_path / "aroll.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--concurrency",
        "6",
        "--out",
        str(out),
    ]
    env = {**os.environ, **genaipro_env(emulator)}
    process = subprocess.Popen(
        [sys.executable, "-m", "framecast", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        stats = emulator.stats()
        if stats["accepted"] >= 8 and stats["in_flight"] > 0:
            break
        assert process.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline, stats
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    at_kill = emulator.stats()
    assert at_kill["accepted"] < 30, "the kill must land mid-batch"

    again = framecast(*args, env=genaipro_env(emulator))
    assert again.returncode == 0, again.stderr
    videos = list(out.glob("*.mp4"))
    assert len(videos) == 30
    assert all(is_mp4(v) for v in videos)
    stats = emulator.stats()
    assert max(stats["accepted_prompts"].values()) == 1
    assert set(stats["accepted_prompts"]) == set(prompts)
