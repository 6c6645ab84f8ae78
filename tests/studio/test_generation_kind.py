from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from tests.jobs.fakes import FAKE_TRAITS, FakeHistory, FakeVideo, fake_bundle, local_result

from framecast.core.errors import (
    AmbiguousError,
    ErrorCategory,
    GenerationFailedError,
    PermanentError,
    RefusedError,
)
from framecast.core.settings import Settings
from framecast.db.session import Database
from framecast.jobs.control import JobControl
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers.base import (
    Aspect,
    GenerationRequest,
    GenerationResult,
    Mode,
    ReconcileOutcome,
    ReconcileState,
    Submission,
    SubmissionJournal,
)
from framecast.providers.registry import ProviderTraits
from framecast.studio.generation_kind import KIND as GENERATION
from framecast.studio.requests import request_to_json


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    settings.jobs.poll_s = 0.01
    settings.jobs.backoff_base_s = 0.01
    settings.jobs.backoff_max_s = 0.02
    return settings


# The fake provider's rules with a long grace period: an absent submission is never resent.
PATIENT = dataclasses.replace(FAKE_TRAITS, reconcile_grace_s=3600)
REFUNDING = dataclasses.replace(FAKE_TRAITS, reconcile_grace_s=3600, refunds_failures=True)


def enqueue(db: Database, out: Path, count: int = 1) -> int:
    request = GenerationRequest(Mode.TEXT, "a red fox", Aspect.LANDSCAPE, count)
    stems = ["fox"] if count == 1 else [f"fox_{n}" for n in range(1, count + 1)]
    return JobRepository(db).enqueue(
        JobSpec(provider="fake", mode="text", request=request_to_json(request, out_dir=out, stems=stems))
    )


async def run_until_done(
    db: Database,
    settings: Settings,
    video: FakeVideo,
    history: FakeHistory | None,
    traits: ProviderTraits = FAKE_TRAITS,
) -> None:
    worker = Worker(
        db, settings, kinds=[GENERATION], bundles={"fake": fake_bundle(video.work, video, history, traits)}
    )
    await worker.run(until_done=True)


async def test_a_result_lands_in_the_output_folder_under_its_item_name(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    video = FakeVideo(tmp_path)
    job_id = enqueue(db, tmp_path / "out", count=2)
    await run_until_done(db, fast_settings, video, None)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED
    assert sorted(Path(o["path"]).name for o in job.outputs) == ["fox_1.mp4", "fox_2.mp4"]
    assert all(Path(o["path"]).is_file() for o in job.outputs)


async def test_a_rate_limited_request_is_retried_without_using_an_attempt(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    refusal = RefusedError("429", provider="fake", category=ErrorCategory.RATE_LIMIT, retry_after=0.01)
    video = FakeVideo(tmp_path, script=[refusal, refusal])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, None)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED
    assert video.submits == 3
    assert job.attempts == 0


async def test_an_ambiguous_failure_is_settled_from_history_and_never_resubmitted(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    work = tmp_path
    request = GenerationRequest(Mode.TEXT, "a red fox", Aspect.LANDSCAPE, 1)
    found = local_result(work, request)
    history = FakeHistory(
        outcomes=[
            ReconcileOutcome(ReconcileState.ABSENT),
            ReconcileOutcome(ReconcileState.PENDING, provider_ids=("g-late",)),
            ReconcileOutcome(ReconcileState.FOUND, items=found.items),
        ]
    )
    video = FakeVideo(work, script=[AmbiguousError("stream dropped", provider="fake")])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, history, PATIENT)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED
    assert job.charged
    assert job.charges == 1
    assert video.submits == 1
    assert len(history.seen) == 3
    assert history.seen[0].submitted_at is not None
    assert "g-late" in job.provider_ids


async def test_an_ambiguous_submission_absent_after_the_grace_period_is_sent_again(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    history = FakeHistory(outcomes=[ReconcileOutcome(ReconcileState.ABSENT)])
    video = FakeVideo(tmp_path, script=[AmbiguousError("empty stream", provider="fake")])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, history)
    assert JobRepository(db).get(job_id).state == JobState.SUCCEEDED
    assert video.submits == 2


async def test_a_generation_that_failed_in_history_is_charged_and_never_sent_again(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    history = FakeHistory(outcomes=[ReconcileOutcome(ReconcileState.FAILED, error="Create video error")])
    video = FakeVideo(tmp_path, script=[AmbiguousError("dropped", provider="fake")])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, history, PATIENT)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.charged
    assert job.charges == 1
    assert job.error_category == "server"
    assert "Create video error" in (job.error_message or "")
    assert video.submits == 1


async def test_a_generation_that_failed_in_history_is_sent_again_when_the_provider_refunds(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    history = FakeHistory(outcomes=[ReconcileOutcome(ReconcileState.FAILED, error="Create video error")])
    video = FakeVideo(tmp_path, script=[AmbiguousError("dropped", provider="fake")])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, history, REFUNDING)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED
    assert job.charges == 1  # the refunded failure is not counted, the success is
    assert video.submits == 2


async def test_a_failure_after_acceptance_is_charged_and_never_sent_again(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    failure = GenerationFailedError(
        "GenAIPro reported an error (500): Create video error", provider="fake", status_code=500
    )
    video = FakeVideo(tmp_path, script=[failure])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, None)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.charged
    assert job.charges == 1
    assert job.error_category == "server"
    assert "Create video error" in (job.error_message or "")
    assert video.submits == 1


async def test_a_failure_after_acceptance_is_sent_again_when_the_provider_refunds(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    failure = GenerationFailedError("Create video error", provider="fake")
    video = FakeVideo(tmp_path, script=[failure])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, None, REFUNDING)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.SUCCEEDED
    assert job.attempts == 1
    assert video.submits == 2


async def test_unsafe_content_names_the_prompt_and_is_never_sent_again_even_with_refunds(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    failure = GenerationFailedError(
        "GenAIPro reported an error (400): UNSAFE_GENERATION (rephrase it)",
        provider="fake",
        category=ErrorCategory.UNSAFE_CONTENT,
    )
    video = FakeVideo(tmp_path, script=[failure])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, None, REFUNDING)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.error_category == "unsafe_content"
    assert '"a red fox"' in (job.error_message or "")
    assert "rephrase" in (job.error_message or "")
    assert not job.charged  # this provider refunds failures
    assert video.submits == 1


async def test_a_success_on_a_paid_provider_is_charged_and_one_on_a_free_provider_is_not(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    paid = enqueue(db, tmp_path / "paid")
    await run_until_done(db, fast_settings, FakeVideo(tmp_path), None)
    free = enqueue(db, tmp_path / "free")
    await run_until_done(db, fast_settings, FakeVideo(tmp_path), None, ProviderTraits(label="Free"))
    repo = JobRepository(db)
    assert repo.get(paid).charged
    assert repo.get(paid).charges == 1
    assert not repo.get(free).charged
    assert repo.get(free).charges == 0


async def test_a_permanent_error_fails_the_job_with_the_providers_message(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    error = PermanentError("invalid API key", provider="fake", category=ErrorCategory.AUTH, status_code=401)
    video = FakeVideo(tmp_path, script=[error])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, None)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.error_category == "auth"
    assert "invalid API key" in (job.error_message or "")
    assert video.submits == 1


async def test_a_job_cancelled_before_it_is_sent_is_never_sent(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    video = FakeVideo(tmp_path)
    job_id = enqueue(db, tmp_path / "out")
    assert JobControl(db).cancel(job_id) is JobState.CANCELLED
    await run_until_done(db, fast_settings, video, None)
    assert video.submits == 0


class BoomError(Exception):
    """A bug inside a provider, not one of our errors."""


async def test_a_bug_before_sending_fails_the_job_instead_of_holding_it(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    class BrokenBeforeSend(FakeVideo):
        async def generate_video(self, request: GenerationRequest, journal: object) -> GenerationResult:
            raise BoomError("bad arithmetic")

    video = BrokenBeforeSend(tmp_path)
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, None)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.error_message == "internal error (BoomError); the server's log has the details"
    assert job.lease_owner is None


async def test_a_bug_after_sending_is_reconciled_not_resent(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    request = GenerationRequest(Mode.TEXT, "a red fox", Aspect.LANDSCAPE, 1)
    found = local_result(tmp_path, request)
    history = FakeHistory(outcomes=[ReconcileOutcome(ReconcileState.FOUND, items=found.items)])
    video = FakeVideo(tmp_path, script=[BoomError("parser crashed")])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, history, PATIENT)
    assert JobRepository(db).get(job_id).state == JobState.SUCCEEDED
    assert video.submits == 1


async def test_a_job_cancelled_while_a_worker_holds_it_unsent_is_stopped_and_never_sent(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    fast_settings.jobs.heartbeat_s = 0.02
    holding = asyncio.Event()

    class WaitingForASlot(FakeVideo):
        async def generate_video(
            self, request: GenerationRequest, journal: SubmissionJournal
        ) -> GenerationResult:
            holding.set()
            await asyncio.sleep(60)  # e.g. queued behind the provider's rate limit
            return await super().generate_video(request, journal)

    video = WaitingForASlot(tmp_path)
    job_id = enqueue(db, tmp_path / "out")
    worker = Worker(db, fast_settings, kinds=[GENERATION], bundles={"fake": fake_bundle(tmp_path, video)})
    run = asyncio.create_task(worker.run(until_done=True))
    await asyncio.wait_for(holding.wait(), timeout=30)
    assert JobRepository(db).get(job_id).state == JobState.RUNNING

    assert JobControl(db).cancel(job_id) is JobState.CANCELLED
    await asyncio.wait_for(run, timeout=30)  # the worker stops the work and finds nothing left

    job = JobRepository(db).get(job_id)
    assert (job.state, job.charged) == (JobState.CANCELLED, False)
    assert video.submits == 0


async def test_a_job_that_crashes_every_time_after_sending_ends_failed_without_leaking_the_error(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    class CrashesInHistoryToo(FakeHistory):
        async def reconcile(self, submission: Submission) -> ReconcileOutcome:
            raise BoomError("INSERT INTO jobs ... /srv/framecast/data/x.db")

    video = FakeVideo(tmp_path, script=[BoomError("SELECT secret FROM /var/lib/x")])
    job_id = JobRepository(db).enqueue(
        JobSpec(
            provider="fake",
            mode="text",
            max_attempts=3,
            request=request_to_json(
                GenerationRequest(Mode.TEXT, "a fox", Aspect.LANDSCAPE, 1), out_dir=tmp_path, stems=["f"]
            ),
        )
    )
    await run_until_done(db, fast_settings, video, CrashesInHistoryToo(), PATIENT)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.attempts == 3
    assert "SELECT" not in (job.error_message or "")
    assert "/var" not in (job.error_message or "")
    assert "/srv" not in (job.error_message or "")
    assert (
        job.error_message
        == "internal error (BoomError); the server's log has the details (gave up after 3 attempts)"
    )
    assert video.submits == 1


async def test_an_absent_submission_is_never_resent_by_a_provider_without_history_to_search(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    # Google Veo's rule: without a stored operation name nothing can be looked up, so the job ends
    # failed as ambiguous with the provider's message, instead of paying twice.
    no_history = dataclasses.replace(FAKE_TRAITS, reconcile_grace_s=0, resend_when_absent=False)
    history = FakeHistory(outcomes=[ReconcileOutcome(ReconcileState.ABSENT, error="check your console")])
    video = FakeVideo(tmp_path, script=[AmbiguousError("answer lost", provider="fake")])
    job_id = enqueue(db, tmp_path / "out")
    await run_until_done(db, fast_settings, video, history, no_history)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert job.error_category == ErrorCategory.AMBIGUOUS.value
    assert job.error_message == "check your console"
    assert video.submits == 1


async def test_an_option_the_provider_lacks_fails_the_job_before_anything_is_sent(
    db: Database, fast_settings: Settings, tmp_path: Path
) -> None:
    request = GenerationRequest(Mode.TEXT, "a red fox", duration_seconds=6)
    job_id = JobRepository(db).enqueue(
        JobSpec(
            provider="fake", mode="text", request=request_to_json(request, out_dir=tmp_path, stems=["fox"])
        )
    )
    video = FakeVideo(tmp_path)
    await run_until_done(db, fast_settings, video, None)
    job = JobRepository(db).get(job_id)
    assert job.state == JobState.FAILED
    assert "does not support Duration (--duration)" in (job.error_message or "")
    assert video.submits == 0
