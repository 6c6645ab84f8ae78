"""An account's sliding request window, shared by every worker on every host through the database.

GenAIPro v2 allows 30 requests a minute per account, submissions and polls together. One process
keeps that budget in memory (``providers/sliding_windows.py``); W worker processes with one key
each kept their own and sent up to W times 30. So the places of an account's window live in
``request_window_places``, one row per request sent:

- a request takes a place in one short transaction that first locks the account's
  ``request_windows`` row (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises
  writers anyway), drops the places that expired and counts the rest: fewer than the places it may
  take (the window less ``reserve``), it inserts its own; else it waits until the place it needs
  expires, outside any transaction;
- when the answer comes back, the place's expiry becomes the answer plus the window (the service
  counted the request somewhere in between);
- a place whose request is never answered (its worker killed) expires :data:`IN_FLIGHT_LEASE_S`
  after it was taken plus the window, so a dead worker's places come back.

Hosts' clocks are assumed to agree, as they are for the queue's leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import anyio
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.db.base import utcnow
from framecast.db.models import RequestWindowAccount, RequestWindowPlace
from framecast.db.session import Database
from framecast.providers.sliding_windows import SlidingWindow

# How long a request may stay unanswered before its place is given up (its worker is presumed dead).
IN_FLIGHT_LEASE_S = 300.0
# The longest a waiting request sleeps before it looks again; a request answered in this process wakes
# it sooner (one answered elsewhere is seen at the next look).
MAX_WAIT_S = 0.5


@dataclass(frozen=True)
class _Taken:
    place: int | None  # the place now held, or None: wait ``wait_s``
    wait_s: float = 0.0


class SharedWindow:
    """At most ``limit`` requests of ``account`` in any ``window_s`` seconds, over every worker."""

    def __init__(
        self,
        db: Database,
        account: str,
        limit: float,
        window_s: float,
        *,
        holder: str = "",
        in_flight_lease_s: float = IN_FLIGHT_LEASE_S,
    ) -> None:
        self.db = db
        self.account = account[:100]
        self._limit = max(1, int(limit))
        self.window_s = window_s
        self.holder = (holder or secrets.token_hex(6))[:200]
        self.in_flight_lease_s = in_flight_lease_s
        self._answered = asyncio.Event()

    @property
    def limit(self) -> int:
        return self._limit

    @contextlib.asynccontextmanager
    async def place(self, *, reserve: int = 0) -> AsyncIterator[None]:
        """Wait for a place that leaves ``reserve`` free, hold it for the request sent inside the
        block, and start its window when the block ends. Raises what the database raises."""
        allowed = max(1, self._limit - max(0, reserve))
        while True:
            answered = self._answered
            with anyio.CancelScope(shield=True):  # a place taken is always given its window
                taken = await anyio.to_thread.run_sync(functools.partial(self._take, allowed))
            if taken.place is not None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answered.wait(), timeout=min(max(taken.wait_s, 0.005), MAX_WAIT_S))
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._answer, taken.place)
            self._answered, answered = asyncio.Event(), self._answered
            answered.set()

    # -- the transactions ----------------------------------------------------------------------

    def _lock(self, session: Session) -> None:
        """Lock the account's row (made when missing) for this transaction."""
        query = select(RequestWindowAccount).where(RequestWindowAccount.account == self.account)
        if session.scalar(query.with_for_update()) is not None:
            return
        try:
            with session.begin_nested():
                session.add(RequestWindowAccount(account=self.account))
        except IntegrityError:
            pass  # another worker made it first
        session.scalar(query.with_for_update().execution_options(populate_existing=True))

    def _take(self, allowed: int) -> _Taken:
        with self.db.session() as session:
            self._lock(session)
            now = utcnow()
            mine = RequestWindowPlace.account == self.account
            session.execute(delete(RequestWindowPlace).where(mine, RequestWindowPlace.expires_at <= now))
            places = session.execute(
                select(RequestWindowPlace.answered, RequestWindowPlace.expires_at).where(mine)
            ).all()
            excess = len(places) - allowed + 1
            if excess <= 0:
                place = RequestWindowPlace(
                    account=self.account,
                    holder=self.holder,
                    answered=False,
                    expires_at=now + timedelta(seconds=self.in_flight_lease_s + self.window_s),
                )
                session.add(place)
                session.flush()
                return _Taken(place.id)
            freed = sorted(expires for answered, expires in places if answered)
            if len(freed) < excess:  # the places needed are held by requests not yet answered
                return _Taken(None, MAX_WAIT_S)
            return _Taken(None, (freed[excess - 1] - now).total_seconds())

    def _answer(self, place: int | None) -> None:
        expires_at = utcnow() + timedelta(seconds=self.window_s)
        with self.db.session() as session:
            session.execute(
                update(RequestWindowPlace)
                .where(RequestWindowPlace.id == place)
                .values(answered=True, expires_at=expires_at)
            )


class SharedWindows:
    """Windows kept in ``db``: every provider instance built with them, in any process on any host,
    shares the window of an account (see the module docstring)."""

    def __init__(self, db: Database, *, holder: str = "") -> None:
        self.db = db
        self.holder = holder

    def window(self, account: str, limit: float, window_s: float) -> SlidingWindow:
        return SharedWindow(self.db, account, limit, window_s, holder=self.holder)
