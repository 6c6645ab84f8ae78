"""The worker loop: claim ready jobs up to each provider's free capacity, run them, keep leases alive.

Any number of workers (processes, hosts) may run against one database; the repository's
compare-and-set claims make sure each job has one holder at a time. A worker also sweeps expired
leases so a job whose worker died is recovered by whoever is alive, and keeps its row in
``worker_beats`` fresh (``jobs/beats.py``) so ``/api/health`` can list the live workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path

import anyio
from cryptography.fernet import Fernet

from framecast.core import metrics
from framecast.core.files import remove_leftovers
from framecast.core.secret import fernet, token_hash
from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.jobs import beats
from framecast.jobs.leases import new_worker_id
from framecast.jobs.limits import AdaptiveLimiter
from framecast.jobs.repository import ClaimedJob, JobRepository
from framecast.jobs.runner import JobRunner
from framecast.providers import registry
from framecast.providers.base import Progress
from framecast.providers.registry import BuildContext, ProviderBundle, ProviderTraits

log = logging.getLogger(__name__)

# How many history look-ups one worker runs at once; they are cheap GETs, not paid requests.
RECONCILE_SLOTS = 8
# How often a worker clears half-written files from the data dir.
LEFTOVER_SWEEP_S = 600.0


# A rate no local renderer comes near: "no limit" for providers whose traits set none.
UNLIMITED_PER_MINUTE = 6000.0


def default_limiter(traits: ProviderTraits, concurrency: int | None) -> AdaptiveLimiter:
    """The limiter of one provider: ``concurrency`` (a worker's --concurrency) or the provider's own
    limits; local rendering is CPU-bound, so by default one clip per two cores."""
    chosen = concurrency or traits.concurrency or max(1, (os.cpu_count() or 2) // 2)
    return AdaptiveLimiter(chosen, traits.rate_per_minute or UNLIMITED_PER_MINUTE)


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        providers: list[str] | None = None,
        batch_id: int | None = None,
        job_ids: list[int] | None = None,
        concurrency: int | None = None,
        bundles: dict[str, ProviderBundle] | None = None,
        api_key: str | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.repo = JobRepository(db)
        self.worker_id = worker_id or new_worker_id()
        self.batch_id = batch_id
        self.job_ids = job_ids
        names = providers or registry.provider_names()
        work_dir = Path(settings.data_dir) / "work"
        self.bundles = bundles or {
            name: registry.build(
                name,
                BuildContext(settings=settings, work_dir=work_dir, api_key=api_key, concurrency=concurrency),
            )
            for name in names
        }
        self.limiters = {
            name: default_limiter(bundle.traits, concurrency) for name, bundle in self.bundles.items()
        }
        self._concurrency = concurrency
        self._work_dir = work_dir
        # Paid providers built with a user's own key, keyed by (provider, hash of the key).
        self._user_bundles: dict[tuple[str, str], ProviderBundle] = {}
        self._fernet: Fernet | None = None
        self.runner = JobRunner(
            self.repo, self.bundles, self.limiters, settings, self.worker_id, resolve=self.bundle_for
        )
        self._tasks: dict[int, tuple[asyncio.Task[None], str, bool]] = {}
        self.on_progress: Callable[[int, Progress], None] | None = None
        self.beat_s = beats.BEAT_S  # seconds between two rows written in worker_beats
        self._reporting = False  # whether /metrics shows this worker's limits (while it runs)

    async def run(self, *, stop: asyncio.Event | None = None, until_done: bool = False) -> None:
        """Work until ``stop`` is set, or (``until_done``) until the batch/queue has nothing left."""
        stop = stop or asyncio.Event()
        self.runner.on_progress = self.on_progress
        self._reporting = True
        remove_collector = metrics.REGISTRY.add_collector(self._report_limits)
        beating = asyncio.create_task(self._beats(stop, beats.describe(self.worker_id, self.bundles)))
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        cfg = self.settings.jobs
        last_sweep = 0.0
        last_cleanup = float("-inf")
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                if loop.time() - last_sweep >= min(cfg.lease_s / 3, 5.0):
                    recovered = await anyio.to_thread.run_sync(self.repo.recover_expired)
                    if recovered:
                        log.info("recovered jobs %s from stopped workers", recovered)
                    last_sweep = loop.time()
                if loop.time() - last_cleanup >= LEFTOVER_SWEEP_S:
                    # Half-written files a crash or a full disk left (not ones still being written).
                    removed = await anyio.to_thread.run_sync(remove_leftovers, self._work_dir.parent)
                    if removed:
                        log.info("removed %s half-written files left by an earlier crash", removed)
                    last_cleanup = loop.time()
                await self._claim_more()
                if until_done and not self._tasks and await self._nothing_left():
                    break
                await self._wait_for_work(cfg.poll_s)
        finally:
            stop.set()
            await self._shutdown()
            for task in (heartbeat, beating):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            remove_collector()
            self._reporting = False  # a scrape already under way must not bring the series back
            self._forget_limits()
            await self._end_beats()

    async def _beats(self, stop: asyncio.Event, beat: beats.Beat) -> None:
        """Write this worker's row now, then every ``beat_s`` seconds until ``stop``."""
        while not stop.is_set():
            await self._beat(dataclasses.replace(beat, beat_at=utcnow()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.beat_s)

    async def _beat(self, beat: beats.Beat) -> None:
        def write() -> None:
            with self.db.session() as session:
                beats.record_beat(session, beat)

        # A missed beat only makes the worker look older in /api/health: never stop working for it.
        try:
            await anyio.to_thread.run_sync(write)
        except Exception as exc:
            log.warning("worker %s could not record its heartbeat: %s", self.worker_id, exc)

    async def _end_beats(self) -> None:
        def remove() -> None:
            with self.db.session() as session:
                beats.remove_beat(session, self.worker_id)

        try:
            await anyio.to_thread.run_sync(remove)
        except Exception as exc:
            log.warning("worker %s could not remove its heartbeat row: %s", self.worker_id, exc)

    def _report_limits(self) -> None:
        """Collector for ``/metrics``: this worker's adaptive limits as they are now."""
        if not self._reporting:
            return
        for name, limiter in self.limiters.items():
            labels = {"provider": name, "worker": self.worker_id}
            metrics.LIMIT_CONCURRENCY.set(limiter.concurrency, **labels)
            metrics.LIMIT_RATE.set(limiter.rate, **labels)
            metrics.LIMIT_RATE_CEILING.set(limiter.ceiling, **labels)
            metrics.LIMIT_IN_FLIGHT.set(limiter.in_flight, **labels)

    def _forget_limits(self) -> None:
        for name in self.limiters:
            labels = {"provider": name, "worker": self.worker_id}
            for gauge in (
                metrics.LIMIT_CONCURRENCY,
                metrics.LIMIT_RATE,
                metrics.LIMIT_RATE_CEILING,
                metrics.LIMIT_IN_FLIGHT,
            ):
                gauge.remove(**labels)

    async def aclose(self) -> None:
        for bundle in [*self.bundles.values(), *self._user_bundles.values()]:
            await bundle.aclose()

    async def bundle_for(self, job: ClaimedJob) -> ProviderBundle:
        """The job's provider, built with its owner's stored key if they have one, else the platform's."""
        base = self.bundles[job.provider]
        if job.owner_id is None or not base.paid:
            return base
        key = await anyio.to_thread.run_sync(self._stored_key, job.owner_id, job.provider)
        if key is None:
            return base
        cache_key = (job.provider, token_hash(key))
        bundle = self._user_bundles.get(cache_key)
        if bundle is None:
            context = BuildContext(
                settings=self.settings, work_dir=self._work_dir, api_key=key, concurrency=self._concurrency
            )
            bundle = registry.build(job.provider, context)
            self._user_bundles[cache_key] = bundle
        return bundle

    def _stored_key(self, owner_id: int, provider: str) -> str | None:
        from framecast.jobs.provider_keys import stored_key

        if self._fernet is None:
            self._fernet = fernet(self.settings)
        return stored_key(self.db, self._fernet, owner_id, provider)

    async def _nothing_left(self) -> bool:
        pending = await anyio.to_thread.run_sync(
            lambda: self.repo.pending(batch_id=self.batch_id, job_ids=self.job_ids)
        )
        return pending == 0

    async def _claim_more(self) -> None:
        for name, limiter in self.limiters.items():
            generating = sum(1 for _, p, recon in self._tasks.values() if p == name and not recon)
            reconciling = sum(1 for _, p, recon in self._tasks.values() if p == name and recon)
            for recon, room in (
                (False, limiter.concurrency - generating),
                (True, RECONCILE_SLOTS - reconciling),
            ):
                if room <= 0:
                    continue
                jobs = await anyio.to_thread.run_sync(self._claim, name, room, recon)
                for job in jobs:
                    self._start(job, recon)

    def _claim(self, provider: str, limit: int, reconciling: bool) -> list[ClaimedJob]:
        claimed = self.repo.claim(
            self.worker_id,
            providers=[provider],
            lease_s=self.settings.jobs.lease_s,
            limit=limit,
            batch_id=self.batch_id,
            job_ids=self.job_ids,
            reconciling=reconciling,
        )
        if claimed:
            metrics.CLAIMS.inc(len(claimed), provider=provider)
        return claimed

    def _start(self, job: ClaimedJob, reconciling: bool) -> None:
        task = asyncio.create_task(self.runner.run(job), name=f"job-{job.id}")
        self._tasks[job.id] = (task, job.provider, reconciling)
        task.add_done_callback(functools.partial(self._done, job.id))

    def _done(self, job_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.pop(job_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("job %s crashed in the worker", job_id, exc_info=task.exception())

    async def _wait_for_work(self, poll_s: float) -> None:
        tasks = [t for t, _, _ in self._tasks.values()]
        if tasks:
            await asyncio.wait(tasks, timeout=poll_s, return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.sleep(poll_s)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        cfg = self.settings.jobs
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=cfg.heartbeat_s)
            if self._tasks:
                await anyio.to_thread.run_sync(self.repo.heartbeat, self.worker_id, cfg.lease_s)
                # A job cancelled before it was sent is no longer ours: stop working on it.
                held = list(self._tasks)
                for job_id in await anyio.to_thread.run_sync(self.repo.cancelled_among, held):
                    entry = self._tasks.get(job_id)
                    if entry is not None:
                        log.info("job %s was cancelled; stopping its work", job_id)
                        entry[0].cancel()

    async def _shutdown(self) -> None:
        """Stop in-flight work and hand the jobs back (reconcile where a send may have happened)."""
        held = list(self._tasks)
        for task, _, _ in list(self._tasks.values()):
            task.cancel()
        for task, _, _ in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for job_id in held:
            await anyio.to_thread.run_sync(self.repo.release, job_id, self.worker_id)
