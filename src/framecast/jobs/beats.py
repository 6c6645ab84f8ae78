"""Workers' heartbeats in the database, so any process can say which workers are alive.

Every :class:`~framecast.jobs.worker.Worker` (``framecast worker``, the one ``framecast serve``
embeds, the ones the CLI runs for a generation or a batch) writes its row in ``worker_beats`` when
it starts and every :data:`BEAT_S` seconds, and deletes it when it stops cleanly. A worker killed
with ``kill -9`` or lost with its host leaves a row that stops getting newer: readers show only
rows younger than :data:`ALIVE_S`, and each beat deletes rows older than :data:`FORGET_S`.

These beats say who is there; they do not hold leases (that is ``JobRepository.heartbeat``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from framecast.db.base import utcnow
from framecast.db.models import WorkerBeat

# Seconds between two beats of one worker.
BEAT_S = 15.0
# A worker whose last beat is older than this is not listed as alive (several missed beats).
ALIVE_S = 180.0
# Rows of workers that stopped beating this long ago are deleted by the next beat of any worker.
FORGET_S = 86_400.0


@dataclass(frozen=True)
class Beat:
    """One worker as its last beat left it."""

    worker_id: str
    host: str
    pid: int
    started_at: datetime
    beat_at: datetime
    capabilities: str | None  # the kinds of job the worker runs, comma-separated

    def seconds_since(self, now: datetime) -> float:
        return max(0.0, (now - self.beat_at).total_seconds())


def describe(worker_id: str, capabilities: Iterable[str], *, started_at: datetime | None = None) -> Beat:
    """The beat of a worker of this process: this host and pid, beating now."""
    now = utcnow()
    return Beat(
        worker_id=worker_id,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=started_at or now,
        beat_at=now,
        capabilities=",".join(sorted(capabilities)) or None,
    )


def record_beat(session: Session, beat: Beat) -> None:
    """Write ``beat`` (its row is made on the first beat), and forget workers long gone."""
    now = beat.beat_at
    changed = session.execute(
        update(WorkerBeat)
        .where(WorkerBeat.id == beat.worker_id)
        .values(beat_at=now, capabilities=beat.capabilities)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.add(
            WorkerBeat(
                id=beat.worker_id,
                host=beat.host,
                pid=beat.pid,
                started_at=beat.started_at,
                beat_at=now,
                capabilities=beat.capabilities,
            )
        )
    session.execute(
        delete(WorkerBeat)
        .where(WorkerBeat.beat_at < now - timedelta(seconds=FORGET_S))
        .execution_options(synchronize_session=False)
    )


def remove_beat(session: Session, worker_id: str) -> None:
    """Delete a worker's row: it stopped cleanly."""
    session.execute(
        delete(WorkerBeat).where(WorkerBeat.id == worker_id).execution_options(synchronize_session=False)
    )


def recent_beats(session: Session, *, within_s: float = ALIVE_S) -> list[Beat]:
    """Workers that beat in the last ``within_s`` seconds, most recent beat first."""
    since = utcnow() - timedelta(seconds=within_s)
    rows = session.scalars(
        select(WorkerBeat).where(WorkerBeat.beat_at >= since).order_by(WorkerBeat.beat_at.desc())
    ).all()
    return [
        Beat(
            worker_id=row.id,
            host=row.host,
            pid=row.pid,
            started_at=row.started_at,
            beat_at=row.beat_at,
            capabilities=row.capabilities,
        )
        for row in rows
    ]
