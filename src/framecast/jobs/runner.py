"""Run one claimed job: generate (or reconcile), then put the outputs in place.

The decision table, by the category of a provider error:

=================  ==================================================================
not sent            the provider never saw it: queue again after a back-off
refused             429 / 5xx before acceptance / maintenance / reCAPTCHA: queue again after
                    ``Retry-After`` or a back-off, and slow the provider's limiter down
ambiguous           it may have been charged: RECONCILING — look in history, never resend yet
generation failed   accepted, then failed: charged, so fail (``charged``) and never resend on
                    its own — unless the provider refunds failures (its ``refunds_failures``
                    trait), then queue again like a refusal (unsafe content is never resent)
permanent           fail with the provider's message
=================  ==================================================================

A job in RECONCILING is settled from history: found → download; still processing → look again
later; failed → as "generation failed" above; absent past the grace period → it was never
accepted, so it may be sent again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

from framecast.core import metrics
from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    DownloadError,
    ErrorCategory,
    FramecastError,
    GenerationFailedError,
    InvalidInputError,
    ProviderError,
)
from framecast.core.files import DISK_FULL_MESSAGE, is_disk_full
from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.jobs.limits import AdaptiveLimiter
from framecast.jobs.repository import ClaimedJob, JobRepository, LeaseLostError
from framecast.jobs.states import JobState
from framecast.providers.base import (
    GenerationRequest,
    GenerationResult,
    Mode,
    Progress,
    ReconcileState,
    Submission,
)
from framecast.providers.registry import ProviderBundle, ProviderTraits
from framecast.studio.outputs import materialize, plan_outputs
from framecast.studio.requests import output_stems, request_from_json

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 0.5


def backoff_delay(attempt: int, base_s: float, max_s: float) -> float:
    """Exponential back-off with full jitter in its upper half."""
    ceiling = min(max_s, base_s * 2 ** max(0, attempt - 1))
    return float(ceiling / 2 + random.random() * ceiling / 2)


class DbJournal:
    """The write-ahead journal of one job, backed by the jobs table."""

    def __init__(self, repo: JobRepository, job: ClaimedJob, worker_id: str, *, paid: bool) -> None:
        self.repo = repo
        self.job = job
        self.worker_id = worker_id
        self.paid = paid
        self.submitted = False
        self.provider_ids: tuple[str, ...] = ()
        self.on_progress: Callable[[int, Progress], None] | None = None
        self._last_progress: Progress | None = None
        self._last_write = float("-inf")

    async def before_submit(self) -> None:
        if not await anyio.to_thread.run_sync(self.repo.mark_submitting, self.job.id, self.worker_id):
            raise _CancelledBeforeSendError
        self.submitted = True

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        self.provider_ids = provider_ids
        await anyio.to_thread.run_sync(
            self.repo.record_provider_ids, self.job.id, self.job.provider, provider_ids
        )

    async def progress(self, progress: Progress) -> None:
        # Progress is informative, not durable state: write it when it changes, at most twice a second.
        now = time.monotonic()
        if progress != self._last_progress and now - self._last_write >= PROGRESS_WRITE_INTERVAL_S:
            self._last_progress = progress
            self._last_write = now
            await anyio.to_thread.run_sync(
                self.repo.set_progress, self.job.id, progress.status, progress.percent
            )
        if self.on_progress is not None:
            self.on_progress(self.job.id, progress)


class _CancelledBeforeSendError(Exception):
    """Raised inside a run when the user cancelled before anything was sent."""


class JobRunner:
    def __init__(
        self,
        repo: JobRepository,
        bundles: dict[str, ProviderBundle],
        limiters: dict[str, AdaptiveLimiter],
        settings: Settings,
        worker_id: str,
        resolve: Callable[[ClaimedJob], Awaitable[ProviderBundle]] | None = None,
    ) -> None:
        self.repo = repo
        self.bundles = bundles
        self.resolve = resolve or self._platform_bundle
        self.limiters = limiters
        self.settings = settings
        self.worker_id = worker_id
        self.on_progress: Callable[[int, Progress], None] | None = None

    async def _platform_bundle(self, job: ClaimedJob) -> ProviderBundle:
        return self.bundles[job.provider]

    async def run(self, job: ClaimedJob) -> None:
        try:
            if job.state is JobState.RECONCILING:
                await self._reconcile(job)
            else:
                await self._generate(job)
        except LeaseLostError:
            log.info("job %s: no longer held by this worker (cancelled, or its lease expired)", job.id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A bug must not leave the job held forever under a live heartbeat: settle it now.
            if not isinstance(exc, FramecastError):
                log.exception("job %s: unexpected error", job.id)
            await self._settle_crash(job, exc)

    async def _settle_crash(self, job: ClaimedJob, exc: Exception) -> None:
        current = await self._call(self.repo.get, job.id)
        if isinstance(exc, FramecastError):
            message, category = (
                str(exc),
                ("configuration" if isinstance(exc, ConfigurationError) else "error"),
            )
        elif is_disk_full(exc):
            message, category = DISK_FULL_MESSAGE, "disk_full"
        else:
            # The exception's own text may carry SQL or server paths: it goes to the log only.
            message = f"internal error ({type(exc).__name__}); the server's log has the details"
            category = "internal"
        try:
            if current.submitted_at is not None or current.outputs:
                # A paid request may be out: find it in history rather than failing or resending.
                # Each such crash counts as an attempt, so a job that always crashes ends failed
                # instead of going round for ever.
                await self._call(
                    self.repo.reconcile_later,
                    job.id,
                    self.worker_id,
                    delay_s=self._traits(job).reconcile_poll_s,
                    category=category,
                    message=message,
                    count_attempt=True,
                )
            else:
                await self._call(self.repo.fail, job.id, self.worker_id, category=category, message=message)
        except LeaseLostError:
            log.warning("job %s: lease lost while settling a crash", job.id)

    # -- generate ---------------------------------------------------------------------------

    async def _generate(self, job: ClaimedJob) -> None:
        bundle = await self.resolve(job)
        journal = DbJournal(self.repo, job, self.worker_id, paid=bundle.paid)
        journal.on_progress = self.on_progress
        try:
            request = request_from_json(job.request)
            request.validate()
        except (InvalidInputError, KeyError, ValueError) as exc:
            await self._call(
                self.repo.fail, job.id, self.worker_id, category="invalid_input", message=str(exc)
            )
            return
        limiter = self.limiters[job.provider]
        try:
            async with limiter.slot():
                if request.mode is Mode.IMAGE:
                    if bundle.image is None:
                        raise InvalidInputError(f"{job.provider} cannot make images")
                    result = await bundle.image.generate_image(request, journal)
                else:
                    if bundle.video is None:
                        raise InvalidInputError(f"{job.provider} cannot make videos")
                    result = await bundle.video.generate_video(request, journal)
            limiter.on_success()
        except _CancelledBeforeSendError:
            await self._call(self.repo.release_cancelled, job.id, self.worker_id)
            return
        except ProviderError as exc:
            _count_request(job.provider, exc)
            await self._on_provider_error(job, exc, journal, bundle, request)
            return
        except InvalidInputError as exc:
            await self._call(
                self.repo.fail, job.id, self.worker_id, category="invalid_input", message=str(exc)
            )
            return
        except FramecastError as exc:
            # Configuration problems (no key) and the like: nothing was sent; the message says the fix.
            if journal.submitted:
                raise
            await self._call(
                self.repo.fail, job.id, self.worker_id, category="configuration", message=str(exc)
            )
            return
        metrics.PROVIDER_REQUESTS.inc(provider=job.provider, outcome="ok")
        await self._finish(job, result, bundle)

    async def _on_provider_error(
        self,
        job: ClaimedJob,
        exc: ProviderError,
        journal: DbJournal,
        bundle: ProviderBundle,
        request: GenerationRequest,
    ) -> None:
        limiter = self.limiters[job.provider]
        cfg = self.settings.jobs
        if isinstance(exc, GenerationFailedError):
            await self._failed_after_acceptance(job, bundle, request, exc.category, str(exc))
            return
        if isinstance(exc, AmbiguousError) or exc.category is ErrorCategory.AMBIGUOUS:
            log.info("job %s: ambiguous outcome (%s); reconciling with history", job.id, exc.message)
            await self._call(
                self.repo.reconcile_later,
                job.id,
                self.worker_id,
                delay_s=0.0 if journal.provider_ids else bundle.traits.reconcile_poll_s,
                category=exc.category.value,
                message=exc.message,
            )
            return
        if exc.retry_safe:
            if exc.category is ErrorCategory.RATE_LIMIT:
                delay = limiter.on_rate_limited(exc.retry_after)
            else:
                delay = exc.retry_after or backoff_delay(
                    job.attempts + 1, cfg.backoff_base_s, cfg.backoff_max_s
                )
            state = await self._call(
                self.repo.requeue,
                job.id,
                self.worker_id,
                delay_s=delay,
                category=exc.category.value,
                message=str(exc),
                count_attempt=exc.category is not ErrorCategory.RATE_LIMIT,
            )
            log.info("job %s: %s; %s", job.id, exc, "retrying" if state is JobState.QUEUED else state.value)
            return
        await self._call(
            self.repo.fail, job.id, self.worker_id, category=exc.category.value, message=str(exc)
        )

    async def _failed_after_acceptance(
        self,
        job: ClaimedJob,
        bundle: ProviderBundle,
        request: GenerationRequest,
        category: ErrorCategory,
        message: str,
    ) -> None:
        """The provider took the work on and then failed it (seen on the stream or in history).

        It is never sent again on its own unless the provider refunds failures: a resend would be
        paid for again. Unsafe content is not sent again either way: the same prompt fails the same.
        """
        traits = bundle.traits
        if category is ErrorCategory.UNSAFE_CONTENT:
            message = f'the prompt "{_shorten(request.prompt)}" was refused: {message}'
        if traits.refunds_failures and category is not ErrorCategory.UNSAFE_CONTENT:
            state = await self._call(
                self.repo.requeue,
                job.id,
                self.worker_id,
                delay_s=backoff_delay(
                    job.attempts + 1, self.settings.jobs.backoff_base_s, self.settings.jobs.backoff_max_s
                ),
                category=category.value,
                message=f"{message} (refunded by the provider; trying again)",
            )
            log.info("job %s: failed after acceptance, refunded; %s", job.id, state.value)
            return
        log.info("job %s: failed after acceptance (%s); not sent again", job.id, message)
        await self._call(
            self.repo.fail,
            job.id,
            self.worker_id,
            category=category.value,
            message=message,
            charged=bundle.paid and not traits.refunds_failures,
        )

    # -- reconcile --------------------------------------------------------------------------

    async def _reconcile(self, job: ClaimedJob) -> None:
        bundle = await self.resolve(job)
        if job.outputs and all(o.get("url") or o.get("source") for o in job.outputs):
            await self._materialize(job, [dict(o) for o in job.outputs], bundle)
            return
        if bundle.history is None or job.submitted_at is None:
            # Nothing can have been charged (a local provider, or no write-ahead mark): run again.
            await self._call(
                self.repo.requeue,
                job.id,
                self.worker_id,
                delay_s=0.0,
                category=None,
                message=None,
                count_attempt=False,
            )
            return
        request = request_from_json(job.request)
        excluded = await self._call(self.repo.bound_ids, job.provider, except_job=job.id)
        submission = Submission(
            request=request,
            submitted_at=job.submitted_at,
            provider_ids=job.provider_ids,
            excluded_ids=excluded,
        )
        try:
            outcome = await bundle.history.reconcile(submission)
        except ProviderError as exc:
            await self._call(
                self.repo.reconcile_later,
                job.id,
                self.worker_id,
                delay_s=max(bundle.traits.reconcile_poll_s, exc.retry_after or 0.0),
                category=exc.category.value,
                message=f"history lookup failed: {exc.message}",
            )
            return
        grace = bundle.traits.reconcile_grace_s
        since = job.reconcile_since or job.submitted_at
        if outcome.state is ReconcileState.FOUND:
            ids = tuple(i.provider_id for i in outcome.items if i.provider_id)
            if ids and not await self._call(self.repo.record_provider_ids, job.id, job.provider, ids):
                await self._later(job, bundle, "a matching result belongs to another job; looking again")
                return
            await self._finish(job, GenerationResult(items=outcome.items), bundle)
        elif outcome.state is ReconcileState.PENDING:
            if outcome.provider_ids:
                await self._call(self.repo.record_provider_ids, job.id, job.provider, outcome.provider_ids)
            await self._later(job, bundle, None)
        elif outcome.state is ReconcileState.FAILED:
            if outcome.provider_ids:
                await self._call(self.repo.record_provider_ids, job.id, job.provider, outcome.provider_ids)
            await self._failed_after_acceptance(
                job,
                bundle,
                request,
                outcome.error_category,
                f"the provider reports the generation failed: {outcome.error or 'no reason given'}",
            )
        elif _past(since, grace):
            log.info("job %s: not in history after %.0fs; it was not charged, sending again", job.id, grace)
            await self._call(
                self.repo.requeue, job.id, self.worker_id, delay_s=0.0, category=None, message=None
            )
        else:
            await self._later(job, bundle, None)

    async def _later(self, job: ClaimedJob, bundle: ProviderBundle, message: str | None) -> None:
        await self._call(
            self.repo.reconcile_later,
            job.id,
            self.worker_id,
            delay_s=bundle.traits.reconcile_poll_s,
            category=ErrorCategory.AMBIGUOUS.value if message else None,
            message=message,
        )

    def _traits(self, job: ClaimedJob) -> ProviderTraits:
        bundle = self.bundles.get(job.provider)
        return bundle.traits if bundle is not None else ProviderTraits()

    # -- outputs ----------------------------------------------------------------------------

    async def _finish(self, job: ClaimedJob, result: GenerationResult, bundle: ProviderBundle) -> None:
        if not result.items:
            await self._call(
                self.repo.fail,
                job.id,
                self.worker_id,
                category="server",
                message="the provider returned no files",
            )
            return
        stems = output_stems(job.request)
        planned = plan_outputs(list(result.items), stems, Path(job.request["out_dir"]), Mode(job.mode))
        # Record what was produced before downloading: a crash from here on is recovered from the
        # stored URLs, never by generating (and paying) again.
        await self._call(self.repo.save_outputs, job.id, self.worker_id, planned)
        await self._materialize(job, planned, bundle)

    async def _materialize(
        self, job: ClaimedJob, planned: list[dict[str, Any]], bundle: ProviderBundle
    ) -> None:
        try:
            outputs = await materialize(
                planned,
                mode=Mode(job.mode),
                http=bundle.http,
                max_bytes=self.settings.max_download_bytes,
                auth=bundle.download_auth,
            )
        except DownloadError as exc:
            await self._call(self.repo.save_outputs, job.id, self.worker_id, planned)
            await self._call(
                self.repo.reconcile_later,
                job.id,
                self.worker_id,
                delay_s=backoff_delay(2, self.settings.jobs.backoff_base_s, self.settings.jobs.backoff_max_s),
                category="download",
                message=f"download failed, will retry (the result is kept by the provider): {exc}",
            )
            return
        except FramecastError as exc:
            await self._call(
                self.repo.fail,
                job.id,
                self.worker_id,
                category="server",
                message=str(exc),
                charged=bundle.paid,
            )
            return
        if job.owner_id is not None and Mode(job.mode).is_video:
            # Users' videos show a poster in lists (library, batch, queue); made once, here.
            await anyio.to_thread.run_sync(self._add_posters, outputs)
        await self._call(self.repo.succeed, job.id, self.worker_id, outputs, charged=bundle.paid)

    def _add_posters(self, outputs: list[dict[str, Any]]) -> None:
        # Imported here: decoding a frame needs PyAV and OpenCV (~50 MB), which a worker that only
        # talks to a remote provider for the command line never loads otherwise.
        from framecast.studio.posters import make_poster, poster_path

        posters = Path(self.settings.data_dir) / "posters"
        for entry in outputs:
            if entry.get("poster") or not entry.get("path"):
                continue
            video = Path(entry["path"])
            made = make_poster(video, poster_path(posters, video))
            if made is not None:
                entry["poster"] = str(made)

    @staticmethod
    async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))


def _count_request(provider: str, exc: ProviderError) -> None:
    """Count a generation request that ended in ``exc``: by its category, or ``generation_failed``."""
    failed_after_acceptance = isinstance(exc, GenerationFailedError)
    outcome = "generation_failed" if failed_after_acceptance else exc.category.value
    metrics.PROVIDER_REQUESTS.inc(provider=provider, outcome=outcome)
    if exc.category is ErrorCategory.RATE_LIMIT:
        metrics.RATE_LIMITED.inc(provider=provider)


def _past(since: datetime, seconds: float) -> bool:
    return utcnow() - since >= timedelta(seconds=seconds)


def _shorten(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
