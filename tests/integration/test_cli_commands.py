"""The queue and provider commands, Ctrl-C, and the server, through the real ``framecast`` command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.integration.conftest import framecast, genaipro_env, write_frame
from tests.integration.test_batch_cli import write_blocks


def test_quota_and_history_show_what_the_provider_says(emulator: EmulatorHandle, tmp_path: Path) -> None:
    emulator.reset(quota=10)
    env = genaipro_env(emulator)
    assert (
        framecast(
            "generate",
            "text",
            "history test prompt",
            "--provider",
            "genaipro",
            "--out",
            str(tmp_path),
            env=env,
        ).returncode
        == 0
    )
    quota = framecast("quota", env=env)
    assert quota.returncode == 0, quota.stderr
    assert "available 9" in quota.stdout
    assert "total 10" in quota.stdout
    history = framecast("history", "--page-size", "5", env={**env, "COLUMNS": "200"})
    assert history.returncode == 0, history.stderr
    assert "history test prompt" in history.stdout
    assert "completed" in history.stdout


def test_quota_with_a_wrong_key_names_the_problem(emulator: EmulatorHandle) -> None:
    result = framecast("quota", env={**genaipro_env(emulator), "FRAMECAST_GENAIPRO__API_KEY": "nope"})
    assert result.returncode == 1
    assert "Unauthorized" in result.stderr


def test_jobs_list_show_cancel_and_retry(emulator: EmulatorHandle, tmp_path: Path) -> None:
    env = genaipro_env(emulator)
    done = framecast(
        "generate", "image", "a listed job", "--provider", "genaipro", "--out", str(tmp_path), env=env
    )
    assert done.returncode == 0, done.stderr
    listed = framecast("jobs", "list", env={**env, "COLUMNS": "200"})
    assert listed.returncode == 0
    assert "succeeded" in listed.stdout
    shown = json.loads(framecast("jobs", "show", "1", env=env).stdout)
    assert shown["state"] == "succeeded"
    assert shown["outputs"][0]["path"].endswith("a-listed-job.png")
    cancelled = framecast("jobs", "cancel", "1", env=env)
    assert "job 1: succeeded" in cancelled.stdout
    refused = framecast("jobs", "retry", "1", env=env)
    assert refused.returncode == 1
    assert "only failed or cancelled jobs can be retried" in refused.stderr
    missing = framecast("jobs", "show", "99", env=env)
    assert missing.returncode == 1
    assert "no job 99" in missing.stderr


def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(emulator: EmulatorHandle, tmp_path: Path) -> None:
    emulator.reset(latency=2.0)
    prompts = write_blocks(tmp_path / "a.txt", 12)
    frame = write_frame(tmp_path / "frame.png")
    args = [
        "batch",
        "aroll",
        str(tmp_path / "a.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--concurrency",
        "4",
        "--out",
        str(tmp_path / "out"),
    ]
    env = {**os.environ, **genaipro_env(emulator)}
    process = subprocess.Popen(
        [sys.executable, "-m", "framecast", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while emulator.stats()["in_flight"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "run the same command again to resume" in err
    again = framecast(*args, env=genaipro_env(emulator))
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "out").glob("*.mp4"))) == 12
    stats = emulator.stats()
    assert max(stats["accepted_prompts"].values()) == 1
    assert set(stats["accepted_prompts"]) == set(prompts)


def test_serve_answers_health_and_refuses_anonymous_callers(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "framecast", "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
        anonymous = httpx.get(f"http://127.0.0.1:{port}/api/jobs")
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["type"] == "not_authenticated"
        first = httpx.get(f"http://127.0.0.1:{port}/", headers={"Accept": "text/html"})
        assert first.status_code in (302, 303, 307)
        assert first.headers["location"].startswith("/setup")
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0


def test_a_paid_provider_without_a_key_fails_with_the_fix_in_the_message(tmp_path: Path) -> None:
    result = framecast("generate", "text", "p", "--provider", "genaipro", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "FRAMECAST_GENAIPRO__API_KEY" in result.stderr
    listed = framecast("jobs", "show", "1")
    assert json.loads(listed.stdout)["error_category"] == "configuration"


def test_jobs_cancel_stops_a_queued_job_and_says_why_a_sent_one_goes_on(tmp_path: Path) -> None:
    from framecast.cli.context import open_database
    from framecast.jobs.repository import JobRepository, JobSpec
    from framecast.providers.base import Aspect, GenerationRequest, Mode
    from framecast.studio.requests import request_to_json

    repo = JobRepository(open_database())
    request = request_to_json(
        GenerationRequest(Mode.TEXT, "a fox", Aspect.LANDSCAPE, 1), out_dir=tmp_path, stems=["fox"]
    )
    sent, queued = (repo.enqueue(JobSpec(provider="genaipro", mode="text", request=request)) for _ in "ab")
    repo.claim("elsewhere", providers=["genaipro"], lease_s=600, limit=1)
    assert repo.mark_submitting(sent, "elsewhere")

    result = framecast("jobs", "cancel", str(sent), str(queued))

    assert result.returncode == 1
    assert f"job {queued}: cancelled" in result.stdout
    assert (
        f"job {sent}: Job {sent} was already sent to GenAIPro · Veo, so it cannot be cancelled: it will "
        "finish and be charged, and its result will be kept." in " ".join(result.stderr.split())
    )
    assert repo.get(sent).state == "running"
