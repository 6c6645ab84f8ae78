"""Every fault the emulator can inject ends with the result on disk and nothing paid twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from framecast.core.settings import get_settings
from framecast.db.session import Database
from framecast.emulators.genaipro.faults import FaultKind, FaultTarget
from framecast.emulators.genaipro.testing import EmulatorHandle
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.providers.registry import BuildContext
from framecast.studio.requests import request_to_json
from tests.integration.conftest import FAILING_KINDS, RECOVERABLE_KINDS, is_mp4, write_frame


def enqueue(db: Database, request: GenerationRequest, out: Path, stem: str) -> int:
    stems = [stem] if request.count == 1 else [f"{stem}_{n}" for n in range(1, request.count + 1)]
    return JobRepository(db).enqueue(
        JobSpec(
            provider="genaipro",
            mode=request.mode.value,
            request=request_to_json(request, out_dir=out, stems=stems),
        )
    )


async def run_all(db: Database) -> None:
    worker = Worker(db, get_settings(), providers=["genaipro"])
    try:
        await worker.run(until_done=True)
    finally:
        await worker.aclose()


GENERATION_RECOVERABLE = [kind for kind in RECOVERABLE_KINDS if kind.target is FaultTarget.GENERATION]
READ_KINDS = [kind for kind in FaultKind if kind.target is FaultTarget.READ and kind.applies_to(1)]


@pytest.mark.parametrize("fault", GENERATION_RECOVERABLE)
async def test_a_fault_never_loses_the_result_nor_pays_twice(
    fault: FaultKind, use_emulator: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    use_emulator.force_faults([fault])
    prompt = f"a lighthouse at dusk ({fault.value})"
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), tmp_path / "out", "clip")
    await run_all(db)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert is_mp4(Path(job.outputs[0]["path"]))
    stats = use_emulator.stats()
    assert stats["accepted_prompts"] == {prompt: 1}
    assert stats["faults"].get(fault.value) == 1


@pytest.mark.parametrize("fault", FAILING_KINDS)
async def test_a_generation_failed_after_acceptance_ends_failed_and_charged_and_is_never_resent(
    fault: FaultKind, use_emulator: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    use_emulator.force_faults([fault])
    prompt = f"a lighthouse at dusk ({fault.value})"
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), tmp_path / "out", "clip")
    await run_all(db)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.charged
    assert job.charges == 1
    failure = fault.failure
    assert failure is not None
    assert failure.error in (job.error_message or "")
    unsafe = fault is not FaultKind.GENERATION_FAILED
    assert job.error_category == ("unsafe_content" if unsafe else "server")
    if unsafe:
        assert f'"{prompt}"' in (job.error_message or "")  # names the prompt to rephrase
    stats = use_emulator.stats()
    assert stats["accepted_prompts"] == {prompt: 1}
    assert stats["failed"] == 1
    assert not list((tmp_path / "out").glob("*.mp4"))


async def test_read_faults_while_looking_in_history_are_waited_out(
    use_emulator: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    # The stream drops, so the job looks in the history, whose reads fail in every way first.
    use_emulator.force_faults([FaultKind.DROP_AFTER_EVENTS, *READ_KINDS])
    prompt = "a lighthouse, history read faults"
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), tmp_path / "out", "clip")
    await run_all(db)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert is_mp4(Path(job.outputs[0]["path"]))
    stats = use_emulator.stats()
    assert stats["accepted_prompts"] == {prompt: 1}
    assert stats["read_faults"] == len(READ_KINDS)
    assert use_emulator.stats()["faults"].get(FaultKind.GET_RATE_LIMIT.value) == 1


async def test_the_quota_is_read_through_read_faults(use_emulator: EmulatorHandle) -> None:
    use_emulator.force_faults([FaultKind.GET_SERVER_ERROR, FaultKind.GET_MAINTENANCE_HTML])
    settings = get_settings()
    bundle = registry.build("genaipro", BuildContext(settings=settings, work_dir=Path(settings.data_dir)))
    try:
        assert bundle.quota is not None
        quota = await bundle.quota.read_quota()
    finally:
        await bundle.aclose()
    assert quota.available is not None
    assert quota.available > 0
    assert use_emulator.stats()["read_faults"] == 2


async def test_results_that_need_the_key_are_downloaded_with_the_jobs_own_key(
    use_emulator: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    use_emulator.reset(files_need_auth=True)
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, "needs auth", Aspect.LANDSCAPE, 1), tmp_path, "clip")
    await run_all(db)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert is_mp4(Path(job.outputs[0]["path"]))
    assert use_emulator.stats()["accepted"] == 1


async def test_every_mode_works_against_the_emulator(
    use_emulator: EmulatorHandle, db: Database, tmp_path: Path
) -> None:
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    requests = {
        "text": GenerationRequest(Mode.TEXT, "text mode", Aspect.PORTRAIT, 2),
        "frames": GenerationRequest(
            Mode.FRAMES, "frames mode", Aspect.LANDSCAPE, 1, start_image=frame, end_image=frame
        ),
        "ingredients": GenerationRequest(
            Mode.INGREDIENTS, "ingredients mode", reference_images=(frame, frame)
        ),
        "image": GenerationRequest(Mode.IMAGE, "image mode", Aspect.SQUARE, 2, reference_images=(frame,)),
    }
    ids = {name: enqueue(db, request, out, name) for name, request in requests.items()}
    await run_all(db)
    repo = JobRepository(db)
    for name, job_id in ids.items():
        job = repo.get(job_id)
        assert job.state == JobState.SUCCEEDED, (name, job.error_message)
        assert len(job.outputs) == requests[name].count
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "frames.mp4",
        "image_1.png",
        "image_2.png",
        "ingredients.mp4",
        "text_1.mp4",
        "text_2.mp4",
    ]
    assert (out / "image_1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert use_emulator.stats()["accepted"] == 4


async def test_a_wrong_key_fails_with_a_clear_message_and_is_not_retried(
    use_emulator: EmulatorHandle, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", "wrong")
    get_settings.cache_clear()
    job_id = enqueue(db, GenerationRequest(Mode.TEXT, "p", Aspect.LANDSCAPE, 1), tmp_path, "x")
    await run_all(db)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.error_category == "auth"
    assert "Unauthorized" in (job.error_message or "")
    stats = use_emulator.stats()
    assert stats["requests"] == 1
    assert stats["accepted"] == 0
