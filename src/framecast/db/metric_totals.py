"""Every process's counters and histograms in the database, so that any server's ``/metrics`` sums them.

Work is done in ``framecast worker`` processes, which serve no HTTP; a server's own counters would
never show their claims or provider requests. So each process publishes the cumulative values of
its counters and histograms (:meth:`~framecast.core.metrics.Registry.snapshot`) in
``metric_totals``, one row per (process, metric, part, labels), every ``jobs.metrics_publish_s``
seconds and once more when it stops cleanly; a scrape adds the sum of the *other* processes' rows
to its own live values (:meth:`ThisProcess.others`).

What Prometheus expects of a counter holds for the sum:

- a process's values only grow, and its rows are replaced by larger ones;
- a process that stops (cleanly or killed) leaves its last rows, still counted;
- a restarted process is a new process id with rows of its own, starting from zero: it never
  writes over an old process's rows, so the total does not fall back;
- rows not renewed for :data:`FORGET_S` (processes long gone; live ones publish at least every
  :data:`MAX_QUIET_S`) are added into the :data:`RETIRED` rows and deleted, in one transaction.

A process whose rows were folded although it was still alive (stopped for a day, then resumed) takes
a new id and publishes only what it counted since, so nothing is counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import anyio
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from framecast.core import metrics
from framecast.db.base import utcnow
from framecast.db.models import MetricTotal
from framecast.db.session import Database

log = logging.getLogger(__name__)

# The process whose rows hold the totals of processes long gone.
RETIRED = "retired"
# Rows not renewed for this long are folded into the retired rows (a day: far past any pause).
FORGET_S = 86_400.0
# The longest a live process goes without renewing its rows, even when nothing changed.
MAX_QUIET_S = 60.0

Snapshot = dict[tuple[str, str, metrics.LabelValues], float]


def _new_process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class _Publication:
    """What this process published in one database, and under which id."""

    process: str = field(default_factory=_new_process_id)
    published: Snapshot = field(default_factory=dict)
    offset: Snapshot = field(default_factory=dict)  # counted before a fold gave it a new id


class ThisProcess:
    """This process's rows, in each database it publishes to (one, but for tests)."""

    def __init__(self, registry: metrics.Registry = metrics.REGISTRY) -> None:
        self.registry = registry
        self._publications: dict[str, _Publication] = {}
        self._lock = threading.Lock()

    def _publication(self, db: Database) -> _Publication:
        key = db.engine.url.render_as_string(hide_password=True)
        with self._lock:
            return self._publications.setdefault(key, _Publication())

    def process_id(self, db: Database) -> str:
        """The id this process's rows in ``db`` carry now."""
        return self._publication(db).process

    def publish(self, db: Database) -> None:
        """Write this process's cumulative values (replacing its rows), and fold rows of processes long
        gone into the retired rows. Raises what the database raises."""
        mine = self._publication(db)
        with self._lock:
            snapshot = self.registry.snapshot()
            with db.session() as session:
                if mine.published and not self._has_rows(session, mine.process):
                    # Folded while alive: start again under a new id, with what came since.
                    mine.offset = {key: mine.offset.get(key, 0.0) + v for key, v in mine.published.items()}
                    mine.process = _new_process_id()
                values = {
                    key: value - mine.offset.get(key, 0.0)
                    for key, value in snapshot.items()
                    if value - mine.offset.get(key, 0.0) > 0
                }
                now = utcnow()
                session.execute(delete(MetricTotal).where(MetricTotal.process == mine.process))
                session.add_all(
                    MetricTotal(
                        process=mine.process,
                        metric=metric,
                        part=part,
                        labels=json.dumps(list(key)),
                        value=value,
                        updated_at=now,
                    )
                    for (metric, part, key), value in values.items()
                )
                _fold_forgotten(session)
            mine.published = values

    def others(self, db: Database) -> Snapshot:
        """The sum over every other process's rows (the retired ones included). Raises what the
        database raises."""
        process = self.process_id(db)
        with db.session() as session:
            rows = session.execute(
                select(MetricTotal.metric, MetricTotal.part, MetricTotal.labels, func.sum(MetricTotal.value))
                .where(MetricTotal.process != process)
                .group_by(MetricTotal.metric, MetricTotal.part, MetricTotal.labels)
            ).all()
        return {
            (metric, part, tuple(json.loads(labels))): float(total) for metric, part, labels, total in rows
        }

    @staticmethod
    def _has_rows(session: Session, process: str) -> bool:
        found = session.scalar(select(func.count()).where(MetricTotal.process == process))
        return bool(found)


def _fold_forgotten(session: Session) -> None:
    """Add the rows not renewed for :data:`FORGET_S` into the retired rows, and delete them."""
    old = (MetricTotal.updated_at < utcnow() - timedelta(seconds=FORGET_S)) & (MetricTotal.process != RETIRED)
    sums = session.execute(
        select(MetricTotal.metric, MetricTotal.part, MetricTotal.labels, func.sum(MetricTotal.value))
        .where(old)
        .group_by(MetricTotal.metric, MetricTotal.part, MetricTotal.labels)
    ).all()
    if not sums:
        return
    retired = {
        (row.metric, row.part, row.labels): row
        for row in session.scalars(
            select(MetricTotal).where(MetricTotal.process == RETIRED).with_for_update()
        )
    }
    now = utcnow()
    for metric, part, labels, total in sums:
        row = retired.get((metric, part, labels))
        if row is None:
            session.add(
                MetricTotal(
                    process=RETIRED,
                    metric=metric,
                    part=part,
                    labels=labels,
                    value=float(total),
                    updated_at=now,
                )
            )
        else:
            row.value += float(total)
            row.updated_at = now
    session.execute(delete(MetricTotal).where(old))


_THIS_PROCESS: ThisProcess | None = None
_THIS_PROCESS_LOCK = threading.Lock()


def this_process() -> ThisProcess:
    """The one publisher of this process's :data:`~framecast.core.metrics.REGISTRY` (made on first use)."""
    global _THIS_PROCESS
    with _THIS_PROCESS_LOCK:
        if _THIS_PROCESS is None:
            _THIS_PROCESS = ThisProcess()
        return _THIS_PROCESS


@contextlib.asynccontextmanager
async def publishing(db: Database, interval_s: float) -> AsyncIterator[None]:
    """Publish this process's metrics every ``interval_s`` seconds while the block runs, and once more
    when it ends (a clean exit loses nothing). ``interval_s <= 0`` publishes only at the end. A
    failed publication is logged and tried again at the next one."""
    publisher = this_process()

    async def publish() -> None:
        try:
            await anyio.to_thread.run_sync(publisher.publish, db)
        except Exception as exc:  # the database is away: the next round writes the same totals
            log.warning("could not publish this process's metrics: %s", exc)

    async def loop() -> None:
        while True:
            await asyncio.sleep(min(interval_s, MAX_QUIET_S))
            await publish()

    task = asyncio.get_running_loop().create_task(loop()) if interval_s > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await publish()
