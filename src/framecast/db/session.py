"""Engines and sessions. SQLite runs in WAL mode with a busy timeout so several processes share it.

PostgreSQL connections are checked for life on checkout only when they may have gone stale (see
:func:`_ping_if_stale`), not before every use: a worker checks a connection out twice a job, and a
ping each time was two of its eleven round trips.
"""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from framecast.core.settings import Settings


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the parent folder of a SQLite file."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy issue BEGIN itself (IMMEDIATE) so writers queue instead of deadlocking.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_if_stale(engine)
    return engine


# A pooled connection unused for longer than this is pinged before use (a NAT or firewall may have
# dropped it silently). A server that closes a connection (restart, idle timeout, terminated backend)
# sends its reason first, which the socket check below sees at once, however short the idle.
PING_AFTER_IDLE_S = 2.0


def _ping_if_stale(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection on checkout when it was idle past ``PING_AFTER_IDLE_S`` or
    its socket has something to read (an idle connection in the pool is sent nothing unless the
    server is closing it). A failed ping invalidates the pool, as ``pool_pre_ping`` would: the
    connection, and every one pooled before it, is replaced by a fresh one."""

    def stamp(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get("idle_since", float("-inf"))
        if idle < PING_AFTER_IDLE_S and not _readable(dbapi_connection):
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError("a pooled connection failed its ping") from error
            raise

    event.listen(engine, "connect", stamp)
    event.listen(engine, "checkin", stamp)
    event.listen(engine, "checkout", check)


def _readable(dbapi_connection: Any) -> bool:
    """Whether the server sent something to an idle connection (or closed it): a zero-wait poll."""
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # closed or broken: certainly worth a ping
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class Database:
    """An engine plus a session factory; one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url_resolved)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def single_statement(self) -> Iterator[Connection]:
        """A connection for ONE statement that is a transaction by itself (an ``UPDATE … RETURNING``
        compare-and-set). On PostgreSQL it runs in autocommit: one round trip instead of three
        (``BEGIN``, the statement, ``COMMIT``); on SQLite in a transaction as usual (no network).
        A caller that needs two statements to commit together must use :meth:`session`."""
        if self.engine.dialect.name == "postgresql":
            with self._autocommit.connect() as conn:
                yield conn
        else:
            with self.engine.begin() as conn:
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()
