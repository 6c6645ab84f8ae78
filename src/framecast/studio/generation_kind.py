"""The job kind ``studio.generation``: generate (or reconcile) one request, then put the outputs in
place. Registered with the queue when this module is imported; ``jobs/`` supplies the lease,
heartbeat, limits, retries' back-off and state machine.

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
accepted, so it may be sent again — unless the provider has no history to search (its
``resend_when_absent`` trait is false): then it ends failed as ambiguous, never resent on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.orm import Session

from framecast.core import metrics
from framecast.core.errors import (
    AmbiguousError,
    DownloadError,
    ErrorCategory,
    FramecastError,
    GenerationFailedError,
    InvalidInputError,
    ProviderError,
    StorageError,
)
from framecast.core.storage import key_of, open_store
from framecast.db.base import utcnow
from framecast.db.library import MediaFile
from framecast.db.models import GENERATION_KIND, Job
from framecast.jobs.journal import CancelledBeforeSendError, DbJournal, backoff_delay
from framecast.jobs.kinds import KindContext, register_kind
from framecast.jobs.repository import ClaimedJob
from framecast.jobs.states import JobState
from framecast.providers.base import (
    GenerationRequest,
    GenerationResult,
    Mode,
    ReconcileState,
    Submission,
    refuse_unsupported_options,
)
from framecast.providers.registry import ProviderBundle
from framecast.studio.outputs import materialize, plan_outputs
from framecast.studio.requests import output_stems, request_from_json

log = logging.getLogger(__name__)

KIND = GENERATION_KIND


class StudioGeneration:
    """The kind ``studio.generation``: one video or image request to a provider (a solo job, a
    batch item or a pipeline step), its outputs written under the request's ``out_dir``."""

    # The worker's settings decide the lease and heartbeat; each provider's limiter the concurrency.
    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = None

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        await _GenerationRun(context)._generate(claimed)

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        await _GenerationRun(context)._reconcile(claimed)

    def on_success(self, session: Session, job: Job) -> None:
        if job.owner_id is not None:
            add_to_library(session, job)


class _GenerationRun:
    """The steps of one generation job, on the worker's providers and limiters."""

    def __init__(self, context: KindContext) -> None:
        self.context = context
        self.repo = context.repo
        self.bundles = context.bundles
        self.limiters = context.limiters
        self.settings = context.settings
        self.worker_id = context.worker_id
        self.on_progress = context.on_progress
        self.resolve = context.bundle_for or self._platform_bundle
        self.store = open_store(context.settings)

    async def _platform_bundle(self, job: ClaimedJob) -> ProviderBundle:
        return self.bundles[job.provider]

    # -- generate ---------------------------------------------------------------------------

    async def _generate(self, job: ClaimedJob) -> None:
        bundle = await self.resolve(job)
        journal = DbJournal(self.repo, job, self.worker_id, paid=bundle.paid)
        journal.on_progress = self.on_progress
        try:
            request = request_from_json(job.request)
            request.validate()
            refuse_unsupported_options(
                request, bundle.traits.options_for(request.mode), bundle.traits.label or job.provider
            )
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
            await limiter.succeeded()
        except CancelledBeforeSendError:
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
                delay = await limiter.rate_limited(exc.retry_after)
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
        # Only this submission's ids: a task of an earlier attempt that failed (refunded, so sent
        # again) found by its id would make this one look failed and be sent a third time.
        current, earlier = await self._call(
            self.repo.attempt_ids, job.id, job.provider, since=job.submitted_at
        )
        submission = Submission(
            request=request,
            submitted_at=job.submitted_at,
            provider_ids=current,
            excluded_ids=excluded | earlier,
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
        elif not bundle.traits.resend_when_absent:
            # No history to search (Google keeps none): whether it started cannot be known, so it is
            # never sent again on its own. The provider's message says where to look.
            message = outcome.error or "the provider may have started it; check the provider's console"
            log.info("job %s: not found and the provider cannot be searched; failing (%s)", job.id, message)
            await self._call(
                self.repo.fail,
                job.id,
                self.worker_id,
                category=ErrorCategory.AMBIGUOUS.value,
                message=message,
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
                stored=self._stored_size if job.owner_id is not None else None,
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
        except StorageError as exc:
            # The bucket did not answer: the result is still where it was, so try again later.
            await self._call(self.repo.save_outputs, job.id, self.worker_id, planned)
            await self._call(
                self.repo.reconcile_later,
                job.id,
                self.worker_id,
                delay_s=backoff_delay(2, self.settings.jobs.backoff_base_s, self.settings.jobs.backoff_max_s),
                category="download",
                message=f"the file store failed, will retry: {exc}",
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
        if job.owner_id is not None:
            try:
                await self._store_outputs(outputs)
            except StorageError as exc:
                await self._call(
                    self.repo.reconcile_later,
                    job.id,
                    self.worker_id,
                    delay_s=backoff_delay(
                        2, self.settings.jobs.backoff_base_s, self.settings.jobs.backoff_max_s
                    ),
                    category="download",
                    message=f"storing the result failed, will retry: {exc}",
                )
                return
        await self._call(self.context.succeed, job.id, outputs, charged=bundle.paid)

    async def _stored_size(self, target: Path) -> int | None:
        """The size of ``target``'s object in a bucket (moved there by an attempt that crashed
        before the job succeeded), or None; always None on the data dir."""
        if self.store.local_path("media") is not None:
            return None
        try:
            key = key_of(Path(self.settings.data_dir), str(target))
        except InvalidInputError:
            return None
        info = await self.store.stat(key)
        return info.size if info is not None else None

    async def _store_outputs(self, outputs: list[dict[str, Any]]) -> None:
        """With a bucket configured, a web job's result and poster move from the worker's disk into
        it (streamed; the object appears whole or not at all), keeping the recorded path, whose key
        the web layer derives (``core/storage/base.py``). Batch results (``media/<user>/batches/``)
        stay on disk for now: their CSV reports and ZIP parts are built from the files. Raises
        :class:`StorageError`."""
        store = self.store
        if store.local_path("media") is not None:
            return  # the data dir is the store: the files are already in place
        data_dir = Path(self.settings.data_dir)
        for entry in outputs:
            for field in ("path", "poster"):
                recorded = entry.get(field)
                if not recorded or not await anyio.Path(recorded).is_file():
                    continue
                try:
                    key = key_of(data_dir, recorded)
                except InvalidInputError:
                    continue  # a command-line job's own folder, not the store's
                if key.split("/")[2:3] == ["batches"]:
                    continue
                info = await store.put_file(key, Path(recorded), move=True)
                if field == "path":
                    entry["size_bytes"] = info.size

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


def add_to_library(session: Session, job: Job) -> None:
    """An owned job succeeded: each output becomes a file in its owner's library."""
    kind = "image" if job.mode == "image" else "video"
    for output in job.outputs or []:
        path = Path(output["path"])
        session.add(
            MediaFile(
                owner_id=job.owner_id,
                job_id=job.id,
                batch_id=job.batch_id,
                kind=kind,
                path=str(path),
                name=path.name,
                prompt=str(job.request.get("prompt", "")),
                provider=job.provider,
                provider_id=output.get("provider_id"),
                size_bytes=output.get("size_bytes") or (path.stat().st_size if path.is_file() else 0),
                poster_path=output.get("poster"),
            )
        )


def _past(since: datetime, seconds: float) -> bool:
    return utcnow() - since >= timedelta(seconds=seconds)


def _shorten(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


register_kind(KIND, StudioGeneration())
