"""Bench: no-op jobs per second through Framecast's queue on PostgreSQL, beside procrastinate.

Issue 12: 5,000 no-op jobs through 4 worker processes, against procrastinate (from PyPI) on the same
PostgreSQL server with the same number of worker processes and the same concurrency per worker, in
the same run. Each system gets a fresh schema. The jobs are enqueued in one transaction before the
workers start (timed apart, not counted); each worker process imports, connects and builds its
worker, then waits at a barrier; the clock starts when the barrier opens and stops when the parent
counts every job SUCCEEDED (it polls the count every ``POLL_COUNT_S``). Framecast's worker is the
real :class:`~framecast.jobs.worker.Worker` with its settings as shipped (``FRAMECAST_JOBS__POLL_S``
and the rest of the environment apply), running a registered kind whose ``run`` only calls
``context.succeed``; procrastinate's is ``App.run_worker_async`` with its defaults and an async task
that returns. Each worker stops by itself once the queue is empty (``until_done`` / ``wait=False``).

Target (issue 12): Framecast's rate >= procrastinate's. Every job must have run exactly once in both
systems; the bench checks that too (tests/jobs/test_queue_throughput.py runs it small).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import queue
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from sqlalchemy import make_url

if TYPE_CHECKING:
    from framecast.jobs.kinds import KindContext
    from framecast.jobs.repository import ClaimedJob

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KIND = "bench.noop"
# How often the parent counts finished jobs: the clock's resolution.
POLL_COUNT_S = 0.02
# A run that takes longer than this is broken, not slow.
TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Result:
    system: str
    jobs: int
    seconds: float
    enqueue_s: float
    succeeded: int
    # Every job id each worker process ran, all processes together (a repeat means a double run).
    ran: list[int]
    # CPU the worker processes spent from the barrier to their exit (not the database server's).
    worker_cpu_s: float

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds

    @property
    def exactly_once(self) -> bool:
        return self.succeeded == self.jobs and len(self.ran) == self.jobs == len(set(self.ran))


def libpq_url(url: str) -> str:
    """A SQLAlchemy ``postgresql+psycopg://`` URL as the ``postgresql://`` URI libpq reads."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def _schema(base_url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """A fresh, empty schema on the server of ``base_url``; yields (schema, URL that uses it)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(base_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema, _with_search_path(base_url, schema)
    finally:
        with psycopg.connect(libpq_url(base_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextlib.contextmanager
def framecast_schema(base_url: str) -> Iterator[str]:
    """A fresh schema migrated by Framecast's migrations; yields its SQLAlchemy URL."""
    from framecast.db.migrate import upgrade

    with _schema(base_url, "bench_fc") as (_, url):
        upgrade(url)
        yield url


@contextlib.contextmanager
def procrastinate_schema(base_url: str) -> Iterator[str]:
    """A fresh schema with procrastinate's own ``apply_schema``; yields its libpq URI."""
    with _schema(base_url, "bench_pq") as (_, url):
        uri = libpq_url(url)

        async def apply() -> None:
            app = _procrastinate_app(uri)
            async with app.open_async():
                await app.schema_manager.apply_schema_async()

        asyncio.run(apply())
        yield uri


# -- Framecast ------------------------------------------------------------------------------------


class NoopKind:
    """A kind that does nothing: ``run`` marks its job SUCCEEDED at once."""

    lease_s: float | None = None
    heartbeat_s: float | None = None

    def __init__(self, concurrency: int) -> None:
        self.concurrency: int | None = concurrency
        self.ran: list[int] = []

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        import anyio

        self.ran.append(claimed.id)
        await anyio.to_thread.run_sync(context.succeed, claimed.id, [])

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        await self.run(claimed, context)

    # Nothing to record on success (as a real kind with nothing to record declares it).
    on_success = None


def _framecast_worker(url: str, concurrency: int, ready: Event, go: Event, results: Any) -> None:
    from sqlalchemy import text

    from framecast.core.settings import get_settings
    from framecast.db.session import Database
    from framecast.jobs.worker import Worker

    db = Database(url)
    with db.session() as session:
        session.execute(text("SELECT 1"))  # connect before the clock starts
    kind = NoopKind(concurrency)
    worker = Worker(db, get_settings(), kinds=[KIND], handlers={KIND: kind})
    ready.set()
    go.wait()
    cpu = time.process_time()
    asyncio.run(worker.run(until_done=True))
    results.put((kind.ran, time.process_time() - cpu))
    db.dispose()


def _framecast_enqueue(url: str, jobs: int) -> None:
    from framecast.db.session import Database
    from framecast.jobs.repository import JobRepository, JobSpec

    db = Database(url)
    repo = JobRepository(db)
    spec = JobSpec(provider="local", mode="noop", request={}, kind=KIND)
    with db.session() as session:
        for _ in range(jobs):
            repo.enqueue(spec, session=session)
    db.dispose()


def run_framecast(url: str, *, jobs: int, workers: int, concurrency: int) -> Result:
    """``jobs`` no-op jobs through ``workers`` Framecast worker processes on the migrated ``url``."""
    from framecast.db.models import Job
    from framecast.jobs.states import JobState

    start = time.perf_counter()
    _framecast_enqueue(url, jobs)
    enqueue_s = time.perf_counter() - start
    count = sql.SQL("SELECT count(*) FROM {} WHERE state = {}").format(
        sql.Identifier(Job.__tablename__), sql.Literal(JobState.SUCCEEDED.value)
    )
    return _race(
        "framecast", libpq_url(url), count, jobs, enqueue_s, _framecast_worker, (url, concurrency), workers
    )


# -- procrastinate --------------------------------------------------------------------------------


def _procrastinate_app(uri: str) -> Any:
    try:
        import procrastinate
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise SystemExit("this bench compares with procrastinate: pip install -e '.[dev]'") from exc
    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=uri))


def _procrastinate_worker(uri: str, concurrency: int, ready: Event, go: Event, results: Any) -> None:
    ran: list[int] = []
    cpu = 0.0

    async def main() -> None:
        nonlocal cpu
        app = _procrastinate_app(uri)

        @app.task(name=KIND, pass_context=True)  # type: ignore[untyped-decorator]
        async def noop(context: Any) -> None:
            ran.append(int(context.job.id))

        async with app.open_async():
            ready.set()
            await asyncio.to_thread(go.wait)
            cpu = time.process_time()
            await app.run_worker_async(concurrency=concurrency, wait=False, install_signal_handlers=False)
            cpu = time.process_time() - cpu

    asyncio.run(main())
    results.put((ran, cpu))


def _procrastinate_enqueue(uri: str, jobs: int) -> None:
    async def main() -> None:
        app = _procrastinate_app(uri)

        @app.task(name=KIND)  # type: ignore[untyped-decorator]
        async def noop() -> None:
            pass

        async with app.open_async():
            await noop.batch_defer_async(*({} for _ in range(jobs)))

    asyncio.run(main())


def run_procrastinate(uri: str, *, jobs: int, workers: int, concurrency: int) -> Result:
    """``jobs`` no-op jobs through ``workers`` procrastinate worker processes on the schema of ``uri``."""
    start = time.perf_counter()
    _procrastinate_enqueue(uri, jobs)
    enqueue_s = time.perf_counter() - start
    count = sql.SQL("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
    return _race(
        "procrastinate", uri, count, jobs, enqueue_s, _procrastinate_worker, (uri, concurrency), workers
    )


# -- the race -------------------------------------------------------------------------------------


def _race(
    system: str,
    uri: str,
    count_sql: sql.SQL | sql.Composed,
    jobs: int,
    enqueue_s: float,
    target: Any,
    args: tuple[Any, ...],
    workers: int,
) -> Result:
    """Start ``workers`` processes of ``target``, open the barrier, time until ``count_sql`` says
    every job succeeded; then collect what each process ran."""
    mp = multiprocessing.get_context("spawn")  # fresh interpreters: no engine or loop shared by fork
    go = mp.Event()
    results = mp.Queue()
    readies = [mp.Event() for _ in range(workers)]
    processes = [mp.Process(target=target, args=(*args, ready, go, results)) for ready in readies]
    for process in processes:
        process.start()
    ran: list[int] = []
    cpu = 0.0
    try:
        for ready, process in zip(readies, processes, strict=True):
            while not ready.wait(0.5):
                if not process.is_alive():
                    raise RuntimeError(f"a {system} worker died before starting")
        with psycopg.connect(uri, autocommit=True) as conn:
            go.set()
            start = time.perf_counter()
            deadline = start + TIMEOUT_S
            while True:
                row = conn.execute(count_sql).fetchone()
                succeeded = int(row[0]) if row else 0
                if succeeded >= jobs or time.perf_counter() > deadline:
                    break
                if not any(p.is_alive() for p in processes):
                    break  # the workers stopped short: reported as a wrong count
                time.sleep(POLL_COUNT_S)
            seconds = time.perf_counter() - start
            for _ in processes:
                with contextlib.suppress(queue.Empty):
                    ids, seconds_of_cpu = results.get(timeout=60)
                    ran.extend(ids)
                    cpu += seconds_of_cpu
            row = conn.execute(count_sql).fetchone()
            succeeded = int(row[0]) if row else 0
    finally:
        go.set()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()
    return Result(system, jobs, seconds, enqueue_s, succeeded, ran, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4, help="worker processes per system")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="jobs one worker runs at once (procrastinate's default: 1)"
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("FRAMECAST_TEST_POSTGRES_URL") or DEFAULT_URL,
        help="PostgreSQL (SQLAlchemy form); each system gets a fresh schema in it",
    )
    parser.add_argument("--only", choices=["framecast", "procrastinate"], help="run one system")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate the systems this many times (a shared machine is noisy)",
    )
    args = parser.parse_args()

    poll_s = os.environ.get("FRAMECAST_JOBS__POLL_S", "default")
    print(
        f"{args.jobs} no-op jobs, {args.workers} worker processes, concurrency {args.concurrency} "
        f"each, PostgreSQL (framecast poll_s {poll_s})",
        flush=True,
    )
    sizes = {"jobs": args.jobs, "workers": args.workers, "concurrency": args.concurrency}
    ratios: list[float] = []
    with tempfile.TemporaryDirectory(prefix="framecast-bench-queue-") as tmp:
        os.environ["FRAMECAST_DATA_DIR"] = tmp  # the workers' leftover sweep looks only here
        for _ in range(args.rounds):
            results: list[Result] = []
            if args.only != "procrastinate":
                with framecast_schema(args.url) as url:
                    results.append(run_framecast(url, **sizes))
                    _report(results[-1])
            if args.only != "framecast":
                with procrastinate_schema(args.url) as uri:
                    results.append(run_procrastinate(uri, **sizes))
                    _report(results[-1])
            if len(results) == 2:
                ratios.append(results[0].rate / results[1].rate)
                print(f"  ratio framecast/procrastinate {ratios[-1]:.2f}  (target >= 1.00)", flush=True)
    if len(ratios) > 1:
        print(f"median ratio over {len(ratios)} rounds {statistics.median(ratios):.2f}  (target >= 1.00)")


def _report(r: Result) -> None:
    once = "every job ran once" if r.exactly_once else f"WRONG: {r.succeeded} succeeded, {len(r.ran)} ran"
    print(
        f"  {r.system:14} {r.rate:7.1f} jobs/s  ({r.seconds:6.2f} s; worker CPU "
        f"{r.worker_cpu_s / r.jobs * 1000:5.2f} ms/job; enqueue {r.enqueue_s:.2f} s)  {once}",
        flush=True,
    )


if __name__ == "__main__":
    # Run as ``bench.queue_throughput``, not ``__main__``: the worker processes are spawned by that
    # name, and procrastinate warns about an App built in ``__main__``.
    from bench.queue_throughput import main as _main

    _main()
