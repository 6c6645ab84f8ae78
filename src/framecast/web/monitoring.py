"""What operators read: the database check and live workers of ``/api/health``, and the figures of
``/metrics`` that come from the database: gauges read at each scrape, and the counters and
histograms every other process published (``db/metric_totals.py``).

Every database call here runs in a worker thread, under :data:`PROBE_TIMEOUT_S`. A call that does not
answer in time is left to finish in its thread; at most :data:`MAX_STUCK_PROBES` may be left so at
once, and past that the database is reported unreachable at once instead of leaving more threads
waiting on it (a health check polled every second must not use up the server's threads).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import anyio
from sqlalchemy import and_, case, func, select

from framecast.core import metrics
from framecast.db import metric_totals
from framecast.db.base import utcnow
from framecast.db.models import GENERATION_KIND, Job, LimitRate, LimitSlot
from framecast.db.session import Database
from framecast.db.tutor import Conversation
from framecast.jobs import beats
from framecast.jobs.states import JobState
from framecast.providers import registry

log = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds a health check (or a scrape) waits for the database before calling it unreachable.
PROBE_TIMEOUT_S = 2.0
MAX_STUCK_PROBES = 2
# The columns jobs are counted by in /metrics, as label name → column (the state first); a new label
# is one more entry here and in ``metrics.JOBS``.
JOB_LABELS = {"state": Job.state, "kind": Job.kind, "provider": Job.provider}
# The states of a Tutor avatar video that wait for a renderer (``tutor/avatar_kind.py``).
AVATAR_QUEUE_STATES = ("pending", "rendering")


class ProbeError(Exception):
    """The database did not answer in time, or answered with an error."""


_running = 0
_running_lock = threading.Lock()


async def probe(work: Callable[[], T], *, timeout_s: float | None = None) -> T:
    """``work()`` in a thread, within the timeout. Raises :class:`ProbeError` when it fails, does not
    answer in time, or too many earlier probes are still waiting on the database."""
    global _running
    with _running_lock:
        if _running >= MAX_STUCK_PROBES:
            raise ProbeError("earlier checks are still waiting for the database")
        _running += 1

    def run() -> T:
        global _running
        try:
            return work()
        finally:
            with _running_lock:
                _running -= 1

    try:
        with anyio.fail_after(PROBE_TIMEOUT_S if timeout_s is None else timeout_s):
            return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
    except TimeoutError:
        raise ProbeError("the database did not answer in time") from None
    except Exception as exc:
        raise ProbeError(f"the database answered with an error: {type(exc).__name__}") from exc


def probes_waiting() -> int:
    """How many probes are running now, including those given up on that still wait in a thread."""
    with _running_lock:
        return _running


def select_one(db: Database) -> None:
    """``SELECT 1`` on a pooled connection, outside any transaction (on SQLite a transaction would
    wait for the write lock, and a health check must not queue behind writers)."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()


def live_workers(db: Database) -> list[beats.Beat]:
    with db.session() as session:
        return beats.recent_beats(session)


def refresh_database_gauges(db: Database) -> None:
    """Set the gauges read from the database (jobs by state, kind and provider, live workers, avatar
    renders waiting) and the counts other processes published. Raises what the database raises."""
    columns = list(JOB_LABELS.values())
    with db.session() as session:
        rows = session.execute(select(*columns, func.count()).group_by(*columns)).all()
        workers = len(beats.recent_beats(session))
        avatar_rows = session.execute(
            select(Conversation.video_state, func.count())
            .where(Conversation.video_state.in_(AVATAR_QUEUE_STATES))
            .group_by(Conversation.video_state)
        ).all()
    counted = {tuple(str(value) for value in labels): count for *labels, count in rows}
    # Every state is shown, 0 when empty, for each registered provider and each label set with jobs,
    # so a state that empties reads 0 instead of vanishing.
    others = {key[1:] for key in counted} | {(GENERATION_KIND, name) for name in registry.provider_names()}
    jobs: dict[tuple[str, ...], float] = {
        (state.value, *rest): 0 for state in JobState for rest in others if len(rest) == len(JOB_LABELS) - 1
    }
    metrics.JOBS.replace(jobs | counted)
    metrics.WORKERS.set(workers)
    avatar: dict[tuple[str, ...], float] = {(state,): 0 for state in AVATAR_QUEUE_STATES}
    for state, count in avatar_rows:
        avatar[(str(state),)] = count
    metrics.AVATAR_RENDER_QUEUE.replace(avatar)
    refresh_shared_limits(db)
    # Counters and histograms: what every other process published, added to this one's own. This
    # process publishes first, so that a server restarted after a crash starts from what its last
    # scrape showed (a counter that fell would read as a reset). Kept as last read when the database
    # does not answer, so that no total goes down meanwhile.
    publisher = metric_totals.this_process()
    publisher.publish(db)
    metrics.REGISTRY.absorb(publisher.others(db))


def refresh_shared_limits(db: Database) -> None:
    """The limits every worker shares (``jobs/shared_limits.py``), as the database holds them."""
    held = and_(LimitSlot.holder.is_not(None), LimitSlot.lease_until > utcnow())
    with db.session() as session:
        rates = session.execute(
            select(LimitRate.account, LimitRate.concurrency, LimitRate.rate, LimitRate.rate_limited)
        ).all()
        slots: dict[str, int | None] = dict(
            session.execute(
                select(LimitSlot.account, func.sum(case((held, 1), else_=0))).group_by(LimitSlot.account)
            ).all()
        )
    metrics.SHARED_CONCURRENCY.replace({(str(row[0]),): float(row[1]) for row in rates})
    metrics.SHARED_RATE.replace({(str(row[0]),): float(row[2]) for row in rates})
    metrics.SHARED_RATE_LIMITED.replace({(str(row[0]),): float(row[3]) for row in rates})
    metrics.SHARED_IN_FLIGHT.replace({(str(row[0]),): float(slots.get(row[0]) or 0) for row in rates})


def forget_database_gauges() -> None:
    """Drop the database's figures (rather than show stale ones) when it cannot be read."""
    metrics.JOBS.replace({})
    metrics.AVATAR_RENDER_QUEUE.replace({})
    for gauge in (
        metrics.SHARED_RATE,
        metrics.SHARED_RATE_LIMITED,
        metrics.SHARED_CONCURRENCY,
        metrics.SHARED_IN_FLIGHT,
    ):
        gauge.replace({})
    metrics.WORKERS.remove()
