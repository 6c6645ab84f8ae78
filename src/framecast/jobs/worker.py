"""The worker loop: claim ready jobs of the kinds it runs up to their free capacity, hand each to
its kind's handler (:mod:`framecast.jobs.kinds`), keep leases alive, settle what a handler let fall.

Any number of workers (processes, hosts) may run against one database; the repository's
compare-and-set claims make sure each job has one holder at a time. A worker also sweeps expired
leases so a job whose worker died is recovered by whoever is alive, and keeps its row in
``worker_beats`` fresh (``jobs/beats.py``) so ``/api/health`` can list the live workers.

Claiming ahead: for a kind of fixed concurrency, a job that starts recording its success frees its
slot for the claim, so the next job is claimed while the success is written (two round trips at
once, not one after the other) and starts the moment the slot is free; it waits for the slot in
the worker, held under this worker's lease and heartbeats like any held job. A worker never holds
more than one such job per finishing one, and only for as long as that success takes to write.
For a kind of concurrency 1 the next job is claimed in the very thread that writes the success,
just before it (one hand-off to a thread per job, not two, and no turn of the loop to claim); the
loop adopts the job, or, if the worker is stopping, it is handed back.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import anyio
from cryptography.fernet import Fernet
from sqlalchemy.exc import InterfaceError, OperationalError

from framecast.core import metrics
from framecast.core.errors import ConfigurationError, FramecastError
from framecast.core.files import DISK_FULL_MESSAGE, is_disk_full, remove_leftovers
from framecast.core.secret import fernet, token_hash
from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.db.news import QUEUED, News
from framecast.db.session import Database
from framecast.jobs import beats
from framecast.jobs import kinds as kind_registry
from framecast.jobs.kinds import KindContext, KindHandler
from framecast.jobs.leases import new_worker_id
from framecast.jobs.limits import AdaptiveLimiter, Limiter
from framecast.jobs.repository import ClaimedJob, JobRepository, LeaseLostError
from framecast.jobs.shared_limits import SharedLimiter
from framecast.jobs.shared_window import SharedWindows
from framecast.jobs.states import JobState
from framecast.providers import registry
from framecast.providers.base import Progress
from framecast.providers.registry import BuildContext, ProviderBundle, ProviderTraits

log = logging.getLogger(__name__)

# How many history look-ups one worker runs at once; they are cheap GETs, not paid requests.
RECONCILE_SLOTS = 8
# How often a worker clears half-written files from the data dir.
LEFTOVER_SWEEP_S = 600.0
# After a database error in the loop (the server restarting, a dropped connection): the first
# pause before trying again, doubled after each error in a row up to the last.
DB_RETRY_S = (0.5, 30.0)
# What a database that is down or restarting raises (not a bug in a statement: those still end
# the loop, loudly).
DB_UNAVAILABLE = (OperationalError, InterfaceError)


# A rate no local renderer comes near: "no limit" for providers whose traits set none.
UNLIMITED_PER_MINUTE = 6000.0


def default_limiter(traits: ProviderTraits, concurrency: int | None) -> AdaptiveLimiter:
    """The in-process limiter of one provider: ``concurrency`` (a worker's --concurrency) or the
    provider's own limits; local rendering is CPU-bound, so by default one clip per two cores."""
    chosen = concurrency or traits.concurrency or max(1, (os.cpu_count() or 2) // 2)
    return AdaptiveLimiter(chosen, traits.rate_per_minute or UNLIMITED_PER_MINUTE)


def limiter_for(
    name: str, traits: ProviderTraits, concurrency: int | None, db: Database, settings: Settings, holder: str
) -> Limiter:
    """A remote account's limits shared by every worker (``jobs/shared_limits.py``) when the
    provider says its limits are an account's; else this process's own."""
    local = default_limiter(traits, concurrency)
    if not (traits.account_limits and settings.jobs.shared_limits):
        return local
    return SharedLimiter(
        db, name, local.concurrency, local.ceiling, holder=holder, lease_s=settings.jobs.lease_s
    )


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
        kinds: list[str] | None = None,
        handlers: dict[str, KindHandler] | None = None,
        news: News | None = None,
    ) -> None:
        """``kinds``: the kinds of job this worker claims (None: every registered kind and every
        kind in ``handlers``); ``handlers`` adds or replaces kinds' handlers for this worker only.
        Raises :class:`~framecast.jobs.kinds.UnknownKindError` for a kind with no handler.
        ``news``: the process's listener, already listening (None: the worker listens itself on
        PostgreSQL); a job of one of its kinds becoming queued wakes it before its next poll."""
        self.db = db
        self.settings = settings
        self._news = news
        self.repo = JobRepository(db)
        self.worker_id = worker_id or new_worker_id()
        self.batch_id = batch_id
        self.job_ids = job_ids
        names_of_kinds = (
            kinds if kinds is not None else sorted({*kind_registry.kind_names(), *(handlers or {})})
        )
        if not names_of_kinds:
            raise ConfigurationError(
                "this worker has no kinds of job to run: import the package that registers them "
                "(framecast.studio.generation_kind for Studio generations) or pass handlers"
            )
        self.handlers = {name: kind_registry.handler_for(name, handlers) for name in names_of_kinds}
        # Provider bundles are built only for kinds whose concurrency each provider's limiter decides.
        uses_providers = any(h.concurrency is None for h in self.handlers.values())
        names = (providers or registry.provider_names()) if uses_providers else []
        work_dir = Path(settings.data_dir) / "work"
        # An account's request window is every worker's when its limits are (jobs/shared_window.py).
        self._windows = SharedWindows(db, holder=self.worker_id) if settings.jobs.shared_limits else None
        self.bundles = (
            bundles
            if bundles is not None
            else {
                name: registry.build(
                    name,
                    BuildContext(
                        settings=settings,
                        work_dir=work_dir,
                        api_key=api_key,
                        concurrency=concurrency,
                        windows=self._windows,
                    ),
                )
                for name in names
            }
        )
        self.limiters = {
            name: limiter_for(name, bundle.traits, concurrency, db, settings, self.worker_id)
            for name, bundle in self.bundles.items()
        }
        self._concurrency = concurrency
        self._work_dir = work_dir
        # Paid providers built with a user's own key, keyed by (provider, hash of the key).
        self._user_bundles: dict[tuple[str, str], ProviderBundle] = {}
        self._fernet: Fernet | None = None
        # job id -> (task, kind, provider, reconciling)
        self._tasks: dict[int, tuple[asyncio.Task[None], str, str, bool]] = {}
        # Kinds of fixed concurrency: the slots their jobs run in (a job claimed ahead waits here).
        self._slots = {
            name: asyncio.Semaphore(h.concurrency)
            for name, h in self.handlers.items()
            if h.concurrency is not None
        }
        # Jobs recording their success: their slots count as free for the next claim.
        self._finishing: set[int] = set()
        # Set (under _adopting) when the worker stops: a job claimed ahead in a success's thread from
        # then on is handed back, not adopted; _late holds those the loop got as it stopped.
        self._adopting = threading.Lock()
        self._closing = False
        self._late: list[int] = []
        self.on_progress: Callable[[int, Progress], None] | None = None
        self.beat_s = beats.BEAT_S  # seconds between two rows written in worker_beats
        self._reporting = False  # whether /metrics shows this worker's limits (while it runs)
        # Set by ``wake`` from any thread: look for work now instead of at the next poll.
        self._wakers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._next_reconcile_look = float("-inf")  # loop time of the next look for RECONCILING jobs
        self.db_retry_s = DB_RETRY_S  # (first, longest) pause after a database error in the loop

    def wake(self) -> None:
        """A job of one of this worker's kinds was queued: look now instead of at the next poll."""
        for loop, event in list(self._wakers):
            loop.call_soon_threadsafe(event.set)

    def _context(self, kind: str) -> KindContext:
        return KindContext(
            kind=kind,
            handler=self.handlers[kind],
            repo=self.repo,
            settings=self.settings,
            worker_id=self.worker_id,
            bundles=self.bundles,
            limiters=self.limiters,
            bundle_for=self.bundle_for,
            on_progress=self.on_progress,
            finishing=functools.partial(self._finishing_soon, kind) if kind in self._slots else None,
        )

    def _finishing_soon(self, kind: str, job_id: int) -> None:
        """From the thread recording ``job_id``'s success: claim the next job of a kind of
        concurrency 1 here and now, else let the loop claim the next job now."""
        if self.handlers[kind].concurrency == 1 and self._claim_next_here(kind, job_id):
            return
        for loop, _ in list(self._wakers):
            loop.call_soon_threadsafe(self._finishing_now, job_id)

    def _claim_next_here(self, kind: str, job_id: int) -> bool:
        """Claim the job that takes ``job_id``'s slot, in this (the success's) thread, and hand it
        to the loop. False when the loop should claim instead. Never raises: the success it runs
        before must still be written."""
        entry = self._tasks.get(job_id)  # a read of the loop's dict: atomic, and this entry is settled
        if entry is None or entry[3] or self._closing or not self._wakers:
            return entry is not None and entry[3]  # a reconciling job frees no slot: nothing to claim
        loop = self._wakers[0][0]
        try:
            claimed = self._claim(kind, None, 1, False)
        except Exception as exc:
            log.warning("worker %s could not claim ahead (%s); the loop will claim", self.worker_id, exc)
            return False
        for job in claimed:
            with self._adopting:
                if not self._closing:
                    # Runs on the loop before this success's own answer reaches it (FIFO), so the
                    # loop never counts the slot as free while the claimed job is on its way.
                    loop.call_soon_threadsafe(self._adopt, job)
                    continue
            self._hand_back(job.id)
        return True

    def _adopt(self, job: ClaimedJob) -> None:
        if self._closing:
            self._late.append(job.id)  # handed back by _shutdown with the jobs it stopped
        else:
            self._start(job, False)

    def _hand_back(self, job_id: int) -> None:
        try:
            self.repo.release(job_id, self.worker_id)
        except Exception as exc:  # its lease expires and the sweep of any worker recovers it
            log.warning("worker %s could not hand back job %s: %s", self.worker_id, job_id, exc)

    def _finishing_now(self, job_id: int) -> None:
        entry = self._tasks.get(job_id)
        if entry is not None and not entry[3]:  # a reconciling job's look-up slot is not one of these
            self._finishing.add(job_id)
            for _, wake in self._wakers:
                wake.set()

    def _lease_s(self, kind: str) -> float:
        lease = self.handlers[kind].lease_s
        return lease if lease is not None else self.settings.jobs.lease_s

    def _heartbeat_s(self) -> float:
        wanted = [h.heartbeat_s for h in self.handlers.values() if h.heartbeat_s is not None]
        return min([*wanted, self.settings.jobs.heartbeat_s])

    async def run(self, *, stop: asyncio.Event | None = None, until_done: bool = False) -> None:
        """Work until ``stop`` is set, or (``until_done``) until the batch/queue has nothing left."""
        stop = stop or asyncio.Event()
        async with contextlib.AsyncExitStack() as stack:
            news = self._news
            if news is None and self.db.engine.dialect.name == "postgresql":
                news = News(self.db, channels=[QUEUED])
                await stack.enter_async_context(news.listening())
            if news is not None and news.live:
                stack.callback(news.subscribe(QUEUED, self._heard_queued))
            await self._run(stop, until_done)

    def _heard_queued(self, payload: dict[str, object]) -> None:
        kind = payload.get("kind")
        if kind is None or kind in self.handlers:
            self.wake()

    async def _run(self, stop: asyncio.Event, until_done: bool) -> None:
        self._reporting = True
        self._closing = False
        self._late = []
        remove_collector = metrics.REGISTRY.add_collector(self._report_limits)
        beating = asyncio.create_task(self._beats(stop, beats.describe(self.worker_id, self.handlers)))
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        cfg = self.settings.jobs
        last_sweep = 0.0
        last_cleanup = float("-inf")
        loop = asyncio.get_running_loop()
        waker = (loop, asyncio.Event())
        self._wakers.append(waker)
        errors_in_a_row = 0
        try:
            while not stop.is_set():
                waker[1].clear()  # before looking, so a wake-up during the look is not lost
                try:
                    if loop.time() - last_sweep >= min(min(map(self._lease_s, self.handlers)) / 3, 5.0):
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
                except DB_UNAVAILABLE as exc:
                    # The jobs already held go on (their own writes fail or not on their own); the
                    # loop waits and looks again, however long the database takes to come back.
                    first, longest = self.db_retry_s
                    pause = min(first * 2**errors_in_a_row, longest)
                    errors_in_a_row += 1
                    log.warning(
                        "worker %s: the database failed (%s); trying again in %.1f s",
                        self.worker_id,
                        type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__,
                        pause,
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=pause)
                    continue
                errors_in_a_row = 0
                await self._wait_for_work(cfg.poll_s, waker[1])
        finally:
            self._wakers.remove(waker)
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
                settings=self.settings,
                work_dir=self._work_dir,
                api_key=key,
                concurrency=self._concurrency,
                windows=self._windows,
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
            lambda: self.repo.pending(batch_id=self.batch_id, job_ids=self.job_ids, kinds=list(self.handlers))
        )
        return pending == 0

    async def _claim_more(self) -> None:
        # RECONCILING jobs are few and wait reconcile_poll_s between look-ups: looking for them at
        # most once a poll, not after every finished job, saves a transaction per job on a busy queue.
        now = asyncio.get_running_loop().time()
        look_reconciling = now >= self._next_reconcile_look
        if look_reconciling:
            self._next_reconcile_look = now + self.settings.jobs.poll_s
        for kind, handler in self.handlers.items():
            # A fixed number of slots for the kind, or one set of slots per provider's limiter.
            lanes: list[tuple[str | None, Limiter | None]] = (
                [(None, None)] if handler.concurrency is not None else list(self.limiters.items())
            )
            for provider, limiter in lanes:
                mine = [
                    recon
                    for job_id, (_, k, p, recon) in self._tasks.items()
                    if k == kind and (provider is None or p == provider) and job_id not in self._finishing
                ]
                running = mine.count(False)
                fresh = (
                    await limiter.claimable(running)
                    if limiter is not None
                    else (handler.concurrency or 1) - running
                )
                for recon, room in ((False, fresh), (True, RECONCILE_SLOTS - mine.count(True))):
                    if room <= 0 or (recon and not look_reconciling):
                        continue
                    jobs = await anyio.to_thread.run_sync(self._claim, kind, provider, room, recon)
                    for job in jobs:
                        self._start(job, recon)

    def _claim(self, kind: str, provider: str | None, limit: int, reconciling: bool) -> list[ClaimedJob]:
        claimed = self.repo.claim(
            self.worker_id,
            kinds=[kind],
            providers=None if provider is None else [provider],
            lease_s=self._lease_s(kind),
            limit=limit,
            batch_id=self.batch_id,
            job_ids=self.job_ids,
            reconciling=reconciling,
        )
        for job in claimed:
            metrics.CLAIMS.inc(provider=job.provider)
        return claimed

    def _start(self, job: ClaimedJob, reconciling: bool) -> None:
        task = asyncio.create_task(self._run_job(job), name=f"job-{job.id}")
        self._tasks[job.id] = (task, job.kind, job.provider, reconciling)
        task.add_done_callback(functools.partial(self._done, job.id))

    async def _run_job(self, job: ClaimedJob) -> None:
        context = self._context(job.kind)
        try:
            if job.state is JobState.RECONCILING:
                await context.handler.reconcile(job, context)
            elif job.kind in self._slots:
                async with self._slots[job.kind]:  # a job claimed ahead waits for its slot
                    await context.handler.run(job, context)
            else:
                await context.handler.run(job, context)
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
        current = await anyio.to_thread.run_sync(self.repo.get, job.id)
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
        bundle = self.bundles.get(job.provider)
        poll_s = (bundle.traits if bundle is not None else ProviderTraits()).reconcile_poll_s
        try:
            if current.submitted_at is not None or current.outputs:
                # A paid request may be out: find it in history rather than failing or resending.
                # Each such crash counts as an attempt, so a job that always crashes ends failed
                # instead of going round for ever.
                await anyio.to_thread.run_sync(
                    functools.partial(
                        self.repo.reconcile_later,
                        job.id,
                        self.worker_id,
                        delay_s=poll_s,
                        category=category,
                        message=message,
                        count_attempt=True,
                    )
                )
            else:
                await anyio.to_thread.run_sync(
                    functools.partial(
                        self.repo.fail, job.id, self.worker_id, category=category, message=message
                    )
                )
        except LeaseLostError:
            log.warning("job %s: lease lost while settling a crash", job.id)

    def _done(self, job_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.pop(job_id, None)
        self._finishing.discard(job_id)
        # A slot is free: look for work now. Without this, a job that ends while the loop is still
        # claiming (or asking whether anything is left) leaves the loop waiting a whole poll with
        # nothing running and work queued. (Called on the loop's own thread: no call_soon needed.)
        for _, wake in self._wakers:
            wake.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("job %s crashed in the worker", job_id, exc_info=task.exception())

    async def _wait_for_work(self, poll_s: float, wake: asyncio.Event) -> None:
        waiter = asyncio.create_task(wake.wait())
        try:
            tasks = [t for t, _, _, _ in self._tasks.values()]
            await asyncio.wait([*tasks, waiter], timeout=poll_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._heartbeat_s())
            if self._tasks:
                try:
                    await self._renew_leases()
                except DB_UNAVAILABLE as exc:
                    # Leases last several heartbeats: the next one renews them if the database is back.
                    log.warning("worker %s could not renew its leases: %s", self.worker_id, exc)

    async def _renew_leases(self) -> None:
        """Extend the leases of the jobs held, and stop working on those the user cancelled."""
        for kind in {k for _, k, _, _ in self._tasks.values()}:
            await anyio.to_thread.run_sync(
                functools.partial(self.repo.heartbeat, self.worker_id, self._lease_s(kind), kinds=[kind])
            )
        # A job cancelled before it was sent is no longer ours: stop working on it.
        held = list(self._tasks)
        for job_id in await anyio.to_thread.run_sync(self.repo.cancelled_among, held):
            entry = self._tasks.get(job_id)
            if entry is not None:
                log.info("job %s was cancelled; stopping its work", job_id)
                entry[0].cancel()

    async def _shutdown(self) -> None:
        """Stop in-flight work and hand the jobs back (reconcile where a send may have happened)."""
        with self._adopting:
            self._closing = True
        await asyncio.sleep(0)  # a job claimed ahead and posted before that is adopted into _late now
        held = list(self._tasks)
        for task, _, _, _ in list(self._tasks.values()):
            task.cancel()
        for task, _, _, _ in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for job_id in [*held, *self._late]:
            await anyio.to_thread.run_sync(self.repo.release, job_id, self.worker_id)
