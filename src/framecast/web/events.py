"""Live job progress as Server-Sent Events (``GET /api/events``).

The stream opens with a ``retry: 2000`` hint, then one ``event: snapshot`` holding every matching
job of the caller (``{"items": [job, ...]}``, newest first), then an ``event: job`` (one job's JSON)
each time a job changes in a way the page can see. A comment line keeps idle connections open
through proxies. A page that reloads, or another tab, simply connects again and gets a fresh
snapshot: nothing about the stream is kept on the server.

Workers may run in other processes or on other hosts. On PostgreSQL every visible change of a job
announces itself (``db/news.py``: a trigger's ``NOTIFY``), and the stream looks as soon as one of
its owner's jobs changed, or every :data:`LIVE_POLL_S` in case a notice was missed; on SQLite it
polls every :data:`POLL_S`. Either way the changes are read from the database (``Job.updated_at``)
from a thread: a notice only says when to look. Each look re-reads the
jobs updated within :data:`OVERLAP` before the newest change already seen: a transaction that
stamped ``updated_at`` before another but committed after it is still picked up. Jobs whose JSON
did not change (a lease heartbeat also touches ``updated_at``) are not sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
from fastapi import Request
from sqlalchemy import Select, select

from framecast.core.errors import NotFoundError
from framecast.db.base import utcnow
from framecast.db.models import GENERATION_KIND, Batch, Job
from framecast.db.news import JOBS, News
from framecast.db.session import Database
from framecast.web.security.media_links import MediaLinks
from framecast.web.serializers import jobs_to_json

RETRY_MS = 2000
POLL_S = 0.5
# With news from PostgreSQL: a look at least this often all the same (a notice may be missed).
LIVE_POLL_S = 5.0
HEARTBEAT_S = 15.0
OVERLAP = timedelta(seconds=10)
# The snapshot of an unfiltered stream holds at most this many jobs (the newest); the queue page
# pages through older ones with ``GET /api/jobs``.
SNAPSHOT_LIMIT = 1000


@dataclass(frozen=True)
class JobFilter:
    """Which jobs a stream follows: all of one user's, or one job, or one batch of theirs."""

    owner_id: int
    job_id: int | None = None
    batch_id: int | None = None

    def check(self, db: Database) -> None:
        """Raise :class:`NotFoundError` when the job or batch does not exist or is another user's."""
        with db.session() as session:
            if self.job_id is not None:
                owner = session.scalar(select(Job.owner_id).where(Job.id == self.job_id))
                if owner is None or owner != self.owner_id:
                    raise NotFoundError(f"no job {self.job_id}")
            if self.batch_id is not None:
                owner = session.scalar(select(Batch.owner_id).where(Batch.id == self.batch_id))
                if owner is None or owner != self.owner_id:
                    raise NotFoundError(f"no batch {self.batch_id}")

    def query(self) -> Select[Job]:
        query = select(Job).where(Job.owner_id == self.owner_id)
        if self.job_id is not None:
            query = query.where(Job.id == self.job_id)
        else:
            # The pages follow generations here; ZIP builds and imports have routes of their own.
            query = query.where(Job.kind == GENERATION_KIND)
        if self.batch_id is not None:
            query = query.where(Job.batch_id == self.batch_id)
        return query


class JobWatcher:
    """Reads the matching jobs and tells which of them changed since the last look.

    Synchronous: call it from a thread (``anyio.to_thread.run_sync``).
    """

    def __init__(self, db: Database, job_filter: JobFilter, links: MediaLinks) -> None:
        self.db = db
        self.links = links
        self.filter = job_filter
        self._sent: dict[int, dict[str, Any]] = {}
        self._cursor: datetime = utcnow()
        self.looked_at = time.monotonic()  # when the database was last read

    def snapshot(self) -> list[dict[str, Any]]:
        """Every matching job (newest first), remembered as sent."""
        query = self.filter.query().order_by(Job.id.desc())
        if self.filter.job_id is None and self.filter.batch_id is None:
            query = query.limit(SNAPSHOT_LIMIT)
        with self.db.session() as session:
            jobs = list(session.scalars(query))
            items = jobs_to_json(session, jobs, self.links)
        for job, item in zip(jobs, items, strict=True):
            self._remember(item)
            self._advance(job.updated_at)
        return items

    def changes(self) -> list[dict[str, Any]]:
        """Jobs that changed (or appeared) since the last call, oldest change first."""
        since = self._cursor - OVERLAP
        self.looked_at = time.monotonic()
        query = self.filter.query().where(Job.updated_at >= since).order_by(Job.updated_at, Job.id)
        with self.db.session() as session:
            jobs = list(session.scalars(query))
            items = jobs_to_json(session, jobs, self.links)
        changed: list[dict[str, Any]] = []
        for job, item in zip(jobs, items, strict=True):
            self._advance(job.updated_at)
            if self._remember(item):
                changed.append(item)
        return changed

    def _remember(self, item: dict[str, Any]) -> bool:
        """Record ``item`` as sent; False when the page already has it as it is now."""
        visible = {key: value for key, value in item.items() if key != "updated_at"}
        if self._sent.get(item["id"]) == visible:
            return False
        self._sent[item["id"]] = visible
        return True

    def _advance(self, stamp: datetime | None) -> None:
        if stamp is not None and stamp > self._cursor:
            self._cursor = stamp


def sse_event(event: str, data: Any) -> str:
    """One SSE message; ``data`` is JSON on a single line."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def job_events(
    request: Request,
    watcher: JobWatcher,
    *,
    news: News | None = None,
    poll_s: float | None = None,
    heartbeat_s: float = HEARTBEAT_S,
) -> AsyncIterator[str]:
    """The stream's text, until the client disconnects (the server then cancels this generator)."""
    live = news is not None and news.live
    wait_s = poll_s if poll_s is not None else (LIVE_POLL_S if live else POLL_S)
    changed = asyncio.Event()
    owner = watcher.filter.owner_id

    def heard(payload: dict[str, Any]) -> None:
        if payload.get("owner") in (owner, None):
            changed.set()

    stop_hearing = news.subscribe(JOBS, heard) if live and news is not None else None
    try:
        yield f"retry: {RETRY_MS}\n\n"
        items = await anyio.to_thread.run_sync(watcher.snapshot)
        yield sse_event("snapshot", {"items": items})
        quiet_since = time.monotonic()
        while True:
            # Live: wake for a notice, and each second to see whether the client has gone.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=min(wait_s, 1.0) if live else wait_s)
            if await request.is_disconnected():
                return
            if changed.is_set() or not live or time.monotonic() - watcher.looked_at >= wait_s:
                changed.clear()
                for item in await anyio.to_thread.run_sync(watcher.changes):
                    yield sse_event("job", item)
                    quiet_since = time.monotonic()
            if time.monotonic() - quiet_since >= heartbeat_s:
                yield ": keep-alive\n\n"
                quiet_since = time.monotonic()
    finally:
        if stop_hearing is not None:
            stop_hearing()
