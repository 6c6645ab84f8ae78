"""What a paid batch costs and what it was charged for, as a user of the command line sees it."""

from __future__ import annotations

import csv
from pathlib import Path

from framecast.cli.context import open_database
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from framecast.jobs.repository import JobRepository
from tests.integration.conftest import framecast, genaipro_env, is_mp4, write_frame
from tests.integration.test_batch_cli import write_blocks


def aroll(tmp_path: Path, emulator: EmulatorHandle, n: int, *extra: str) -> tuple[int, str, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    prompts_file = tmp_path / "aroll.txt"
    write_blocks(prompts_file, n)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    result = framecast(
        "batch",
        "aroll",
        str(prompts_file),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--concurrency",
        "10",
        "--out",
        str(out),
        *extra,
        env=genaipro_env(emulator),
    )
    return result.returncode, result.stderr, out


def test_generations_failed_after_acceptance_are_charged_listed_and_never_resubmitted(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.force_faults([FaultKind.GENERATION_FAILED] * 5)
    code, stderr, out = aroll(tmp_path, emulator, 30)
    assert code == 1, stderr
    assert "25 succeeded, 5 failed or cancelled" in stderr
    assert "5 failed after the provider accepted them and were charged" in stderr
    rows = list(csv.DictReader((out / "results.csv").read_text(encoding="utf-8").splitlines()))
    failed = [row for row in rows if row["status"] == "failed"]
    assert len(failed) == 5
    assert all(row["error"].startswith("charged by the provider: ") for row in failed)
    assert all("Create video error" in row["error"] for row in failed)
    assert len([row for row in rows if row["status"] == "succeeded"]) == 25
    assert len(list(out.glob("*.mp4"))) == 25
    rerun = list(csv.DictReader((out / "failed.csv").read_text(encoding="utf-8").splitlines()))
    assert sorted(row["id"] for row in rerun) == sorted(row["id"] for row in failed)
    stats = emulator.stats()
    assert stats["accepted"] == 30  # nothing was sent again on its own
    assert max(stats["accepted_prompts"].values()) == 1
    assert stats["failed"] == 5
    jobs = JobRepository(open_database()).list_jobs(limit=100)
    failed_jobs = [job for job in jobs if job.state == "failed"]
    assert len(failed_jobs) == 5
    assert all(job.charged and job.charges == 1 and job.attempts == 0 for job in failed_jobs)
    assert all(job.error_category == "server" for job in failed_jobs)
    assert sum(job.charged for job in jobs) == 30  # 25 successes and 5 charged failures


def test_a_batch_whose_results_need_the_key_completes(emulator: EmulatorHandle, tmp_path: Path) -> None:
    emulator.reset(files_need_auth=True)
    code, stderr, out = aroll(tmp_path, emulator, 4)
    assert code == 0, stderr
    videos = list(out.glob("*.mp4"))
    assert len(videos) == 4
    assert all(is_mp4(video) for video in videos)


def test_a_paid_batch_says_what_it_costs_and_refuses_a_short_balance_without_force(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.reset(quota=1_000_003)
    code, stderr, _ = aroll(tmp_path, emulator, 3)
    assert code == 0, stderr
    assert "3 credits · 1,000,000 left" in stderr
    emulator.reset(quota=2)
    code, stderr, _ = aroll(tmp_path / "short", emulator, 3)
    assert code == 2
    assert "needs 3 credits" in stderr
    assert emulator.stats()["requests"] == 0


def test_a_paid_generate_says_what_it_costs_before_it_starts(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.reset(quota=1_000_000)
    result = framecast(
        "generate",
        "text",
        "a red fox",
        "--provider",
        "genaipro",
        "--count",
        "2",
        "--out",
        str(tmp_path),
        env=genaipro_env(emulator),
    )
    assert result.returncode == 0, result.stderr
    assert "this generation on GenAIPro · Veo: 2 credits · 999,998 left" in result.stderr
    emulator.reset(quota=1)
    short = framecast(
        "generate",
        "text",
        "a red fox",
        "--provider",
        "genaipro",
        "--count",
        "2",
        "--out",
        str(tmp_path),
        env=genaipro_env(emulator),
    )
    assert short.returncode == 2
    assert "needs 2 credits but GenAIPro · Veo has 1 available" in short.stderr
    assert emulator.stats()["requests"] == 0
    forced = framecast(
        "generate",
        "text",
        "a red fox",
        "--provider",
        "genaipro",
        "--count",
        "2",
        "--force",
        "--out",
        str(tmp_path),
        env=genaipro_env(emulator),
    )
    assert forced.returncode == 1  # sent anyway, and refused for want of credits (HTTP 402)
    assert "402" in forced.stderr
