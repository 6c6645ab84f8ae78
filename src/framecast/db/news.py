"""News across processes: which jobs changed, which kinds have work queued, Tutor events.

Servers and workers may be separate processes on separate hosts; a page's event stream or a
Tutor socket on one server must hear of work finished by any worker. Each process runs one
:class:`News` listener and hands what arrives to its local subscribers::

    any process                                           each process's News listener
    ───────────                                           ────────────────────────────
    a jobs row changes ─(trigger)─► NOTIFY fc_jobs_<schema>   {"owner": 7}     ──► JOBS subscribers
    a job becomes queued ─(trigger)► NOTIFY fc_queued_<schema> {"kind": "..."} ──► QUEUED subscribers
    News.publish(TUTOR, {...}) ────► NOTIFY fc_tutor_<schema>  {...}           ──► TUTOR subscribers

On PostgreSQL the notices are ``LISTEN/NOTIFY`` (the triggers come with migration 0008, so every
change of a job announces itself, whoever made it; a notice is sent when its transaction commits).
On SQLite there is no ``NOTIFY``: ``publish`` appends to the ``news`` table and the listener polls it
(:attr:`News.live` is False, and the queue's workers and the pages' job streams poll the jobs as they
always did). Delivery is best effort either way: what a notice tells is also stored, and readers
that missed one (a listener reconnecting) read the database again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, text

from framecast.db.base import utcnow
from framecast.db.models import NewsItem
from framecast.db.session import Database

log = logging.getLogger(__name__)

JOBS = "jobs"  # {"owner": owner_id or null}: some job of that owner changed
QUEUED = "queued"  # {"kind": kind}: a job of that kind is ready to be claimed
TUTOR = "tutor"  # {"session_id": ..., "message": {...}}: a message for a session's sockets
CHANNELS = (JOBS, QUEUED, TUTOR)

# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
MAX_PAYLOAD = 7900
# SQLite: how often the listener reads the news table, and how long rows are kept.
POLL_S = 0.5
KEEP = timedelta(minutes=10)
# After a lost PostgreSQL listening connection: first wait, doubling up to the last.
RECONNECT_S = (0.5, 10.0)

Subscriber = Callable[[dict[str, Any]], None]


class News:
    """One process's view of the news; ``publish`` from any thread, subscribe in the event loop."""

    def __init__(self, db: Database, *, poll_s: float = POLL_S, channels: Collection[str] = CHANNELS) -> None:
        """``channels``: those this process listens to (a worker needs only QUEUED; a page's job
        stream would be sent every change of every job for nothing)."""
        self.db = db
        self.poll_s = poll_s
        self.channels = tuple(channels)
        self.live = db.engine.dialect.name == "postgresql"
        self.origin = secrets.token_hex(6)  # this process's notices are delivered to it directly
        self._subscribers: dict[str, list[Subscriber]] = {name: [] for name in CHANNELS}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._schema: str | None = None

    # -- channels ------------------------------------------------------------------------------

    def channel(self, name: str) -> str:
        """The database-wide name of a channel: ``fc_<name>_<schema>`` (schemas share a server)."""
        if self._schema is None:
            with self.db.session() as session:
                self._schema = str(session.scalar(text("SELECT current_schema()")) or "public")
        return f"fc_{name}_{self._schema}"[:63]

    # -- subscribing ---------------------------------------------------------------------------

    def subscribe(self, name: str, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber(payload)`` in the listener's loop for each notice on ``name``; returns
        the function that stops it."""
        subscribers = self._subscribers[name]
        subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in subscribers:
                subscribers.remove(subscriber)

        return unsubscribe

    def _deliver(self, name: str, payload: dict[str, Any]) -> None:
        for subscriber in list(self._subscribers.get(name, ())):
            try:
                subscriber(payload)
            except Exception:  # one subscriber's bug must not stop the others hearing
                log.exception("a subscriber of %s news failed", name)

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, name: str, payload: dict[str, Any]) -> None:
        """Tell every process (this one at once, in its loop). Synchronous: call it from a thread."""
        body = json.dumps({**payload, "origin": self.origin}, separators=(",", ":"), ensure_ascii=False)
        if len(body.encode()) > MAX_PAYLOAD:
            raise ValueError(f"a {name} notice of {len(body.encode())} bytes is too large to send")
        with self.db.session() as session:
            if self.live:
                session.execute(
                    text("SELECT pg_notify(:channel, :body)"), {"channel": self.channel(name), "body": body}
                )
            else:
                session.add(NewsItem(channel=name, payload=body))
                session.execute(delete(NewsItem).where(NewsItem.created_at < utcnow() - KEEP))
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._deliver, name, payload)

    async def publish_async(self, name: str, payload: dict[str, Any]) -> None:
        await asyncio.to_thread(self.publish, name, payload)

    # -- listening -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[None]:
        """While inside, notices from every process reach this process's subscribers."""
        self._loop = asyncio.get_running_loop()
        listener = asyncio.create_task(self._listen_postgres() if self.live else self._poll_table())
        try:
            yield
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            self._loop = None

    def _arrived(self, name: str, body: str) -> None:
        if name not in self.channels:
            return
        try:
            payload = json.loads(body)
        except ValueError:
            log.warning("ignoring a %s notice that is not JSON", name)
            return
        if not isinstance(payload, dict) or payload.pop("origin", None) == self.origin:
            return  # delivered already when it was published here
        self._deliver(name, payload)

    async def _listen_postgres(self) -> None:
        import psycopg

        names = {await asyncio.to_thread(self.channel, name): name for name in self.channels}
        conninfo = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        wait = RECONNECT_S[0]
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    for channel in names:
                        await conn.execute(f'LISTEN "{channel}"')
                    wait = RECONNECT_S[0]
                    # Whatever changed while no one listened: readers look again.
                    if JOBS in self.channels:
                        self._deliver(JOBS, {"owner": None})
                    if QUEUED in self.channels:
                        self._deliver(QUEUED, {"kind": None})
                    async for notice in conn.notifies():
                        name = names.get(notice.channel)
                        if name is not None:
                            self._arrived(name, notice.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("listening for news failed (%s); again in %.1f s", exc, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, RECONNECT_S[1])

    async def _poll_table(self) -> None:
        def newest() -> int:
            with self.db.session() as session:
                return int(session.scalar(select(func.max(NewsItem.id))) or 0)

        def since(last: int) -> list[tuple[int, str, str]]:
            with self.db.session() as session:
                rows = session.execute(
                    select(NewsItem.id, NewsItem.channel, NewsItem.payload)
                    .where(NewsItem.id > last)
                    .order_by(NewsItem.id)
                )
                return [(row[0], row[1], row[2]) for row in rows]

        last = await asyncio.to_thread(newest)
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                rows = await asyncio.to_thread(since, last)
            except Exception as exc:  # a busy database: look again next time
                log.warning("reading the news failed: %s", exc)
                continue
            for row_id, name, body in rows:
                last = max(last, row_id)
                self._arrived(name, body)
