"""GenAIPro v2 through the job engine and the batch command, with faults: every item ends on disk and
no task is created twice unless it had failed (and was refunded)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import framecast.studio.generation_kind
from framecast.core.settings import get_settings
from framecast.db.session import Database
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.providers import registry
from framecast.providers.base import Aspect, GenerationRequest, Mode
from tests.integration.conftest import V2_RECOVERABLE_KINDS, framecast, genaipro_env, is_mp4, write_frame
from tests.integration.test_batch_cli import write_blocks
from tests.integration.test_genaipro_faults import enqueue, run_all


def v2_env(emulator: EmulatorHandle) -> dict[str, str]:
    # Rounds 0.2 s apart; the emulator's window is off here, so the budgets are set high enough
    # not to slow a test down (the 30-a-minute split is the default, see the traits test).
    return {
        **genaipro_env(emulator),
        "FRAMECAST_GENAIPRO__API_VERSION": "2",
        "FRAMECAST_GENAIPRO__V2_POLL_S": "0.2",
        "FRAMECAST_GENAIPRO__V2_RATE_PER_MINUTE": "12000",
        "FRAMECAST_GENAIPRO__V2_POLL_RATE_PER_MINUTE": "6000",
    }


@pytest.fixture
def use_v2(use_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    for name, value in v2_env(use_emulator).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return use_emulator


def test_v2_traits_refund_failures_and_give_the_engine_the_whole_30_the_window_divides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_VERSION", "2")
    get_settings.cache_clear()
    traits = registry.traits("genaipro", get_settings())
    assert traits.refunds_failures
    # The provider's own window keeps places for the polls (tests/providers/genaipro/test_window.py).
    assert traits.rate_per_minute == 30.0
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_VERSION", "1")
    get_settings.cache_clear()
    assert not registry.traits("genaipro", get_settings()).refunds_failures


async def test_a_failed_task_is_refunded_and_sent_again_until_it_succeeds(
    use_v2: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    use_v2.force_faults([FaultKind.GENERATION_FAILED])
    prompt = "a lighthouse at dusk (v2, failed once)"
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), tmp_path / "out", "clip")

    await run_all(db)

    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert is_mp4(Path(job.outputs[0]["path"]))
    stats = use_v2.stats()
    assert stats["accepted_prompts"] == {prompt: 2}
    assert (stats["failed"], stats["refunded"]) == (1, 1)


async def test_a_resend_after_a_refunded_failure_whose_answer_is_cut_is_found_not_sent_a_third_time(
    use_v2: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    # The first task fails (refunded, so sent again); the second is created but its 202 is cut. The
    # look-up must be about the second: the first task's id, still on the job, says "failed".
    use_v2.force_faults([FaultKind.GENERATION_FAILED, FaultKind.DROP_AFTER_EVENTS])
    prompt = "a lighthouse at dusk (v2, failed, then resent and cut)"
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), tmp_path / "out", "clip")

    await run_all(db)

    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert is_mp4(Path(job.outputs[0]["path"]))
    stats = use_v2.stats()
    assert stats["accepted_prompts"] == {prompt: 2}, "one task failed and one succeeded, no third"
    assert (stats["failed"], stats["refunded"]) == (1, 1)


@pytest.mark.parametrize("fault", [FaultKind.DROP_AFTER_EVENTS, FaultKind.EMPTY_STREAM, FaultKind.SLOW_TASK])
async def test_an_ambiguous_or_slow_submission_is_found_not_sent_again(
    fault: FaultKind, use_v2: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    use_v2.force_faults([fault, FaultKind.GET_DROPPED])
    prompt = f"a lighthouse at dusk (v2, {fault.value})"
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), tmp_path / "out", "clip")

    await run_all(db)

    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert is_mp4(Path(job.outputs[0]["path"]))
    stats = use_v2.stats()
    # empty_stream was refused before acceptance, so its resend is the one task.
    assert stats["accepted_prompts"] == {prompt: 1}


def test_a_20_item_aroll_batch_on_v2_with_faults_ends_on_disk_and_repays_only_refunded_failures(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.set_faults(fault_rate=0.25, seed=5, kinds=V2_RECOVERABLE_KINDS)
    prompts = write_blocks(tmp_path / "aroll.txt", 20)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    result = framecast(
        "batch",
        "aroll",
        str(tmp_path / "aroll.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--concurrency",
        "20",
        "--out",
        str(out),
        env=v2_env(emulator),
    )

    assert result.returncode == 0, result.stderr
    assert len([p for p in out.glob("*.mp4") if is_mp4(p)]) == 20
    rows = list(csv.DictReader((out / "results.csv").read_text(encoding="utf-8").splitlines()))
    assert {row["status"] for row in rows} == {"succeeded"}
    stats = emulator.stats()
    assert sum(stats["faults"].values()) > 0, "the run must have met faults to prove anything"
    assert set(stats["accepted_prompts"]) == set(prompts)
    # Every task beyond one per item is the resend of a task that failed and was refunded.
    assert sum(stats["accepted_prompts"].values()) == 20 + stats["failed"]
    assert stats["refunded"] == stats["failed"]
    assert stats["v2_polls"] > 0
