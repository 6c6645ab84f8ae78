"""A request budget counted as a sliding window: at most ``limit`` requests in any ``window_s``
seconds, kept for one account by every request sent with its key (GenAIPro v2's 30 a minute for
submissions and polls alike, ``providers/genaipro/tasks.py``).

A token bucket is the wrong shape for such a rule: it lets a burst and then a steady rate through,
up to twice the window in one minute, and it either wastes the empty window at the start of a
batch or overruns it. So the window is kept as the service counts it: a place is taken when a
request is sent and held until a window after its answer came back (the service counted the
request somewhere in between, so the place is never given back too early). Every request may take
any place but the last ``reserve`` ones (a submission leaves a polling round's places free, so a
batch that fills the window cannot starve the reads that would free its slots).

Who shares one window is decided where the provider is built (``BuildContext.windows``):

- :class:`LocalWindows` (:class:`RequestWindow`): one process's provider instance — enough for one
  process, but W worker processes with the same key would send up to W times the budget;
- ``jobs/shared_window.py``'s ``SharedWindows``: every worker on every host, through the database
  (``FRAMECAST_JOBS__SHARED_LIMITS``, on by default), so the account never receives more than its
  budget in any window.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import anyio

WINDOW_S = 60.0
# The longest a request waiting only for answers still in flight sleeps before it looks again.
IN_FLIGHT_POLL_S = 0.5


class SlidingWindow(Protocol):
    """An account's budget of ``limit`` requests in any window (see the module docstring)."""

    @property
    def limit(self) -> int:
        """The most requests the window lets through."""
        ...

    def place(self, *, reserve: int = 0) -> AbstractAsyncContextManager[None]:
        """Wait until the window has more than ``reserve`` free places, hold one for the request
        sent inside the block, and start its window when the block ends."""
        ...


class SlidingWindows(Protocol):
    """Where the windows of accounts come from: the one a provider instance sends every request
    through is ``window(account, limit, window_s)``, ``account`` naming the key (never the key)."""

    def window(self, account: str, limit: float, window_s: float) -> SlidingWindow: ...


class _Place:
    __slots__ = ("freed_at",)

    def __init__(self) -> None:
        self.freed_at: float | None = None  # None while the request is out


class RequestWindow:
    """At most ``per_minute`` requests in any ``window_s`` seconds of this process (see the module
    docstring)."""

    def __init__(self, per_minute: float, window_s: float = WINDOW_S) -> None:
        self._limit = max(1, int(per_minute))
        self._window_s = window_s
        self._places: list[_Place] = []
        self._answered = anyio.Event()  # set (and replaced) whenever a request is answered

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def taken(self) -> int:
        """Places held now (requests out, or answered less than a window ago)."""
        self._expire(anyio.current_time())
        return len(self._places)

    @asynccontextmanager
    async def place(self, *, reserve: int = 0) -> AsyncIterator[None]:
        """Wait until the window has more than ``reserve`` free places, hold one for the request
        sent inside the block, and start its minute when the block ends."""
        allowed = max(1, self._limit - max(0, reserve))
        while (wait := self._wait_s(allowed)) > 0:
            answered = self._answered
            with anyio.move_on_after(wait):
                await answered.wait()  # an answer may free what was waited for sooner
        place = _Place()
        self._places.append(place)  # no await since the check: no other request took it
        try:
            yield
        finally:
            place.freed_at = anyio.current_time()
            self._answered, answered = anyio.Event(), self._answered
            answered.set()

    def _wait_s(self, allowed: int) -> float:
        """0 when fewer than ``allowed`` places are held, else how long until one may be free."""
        now = anyio.current_time()
        self._expire(now)
        excess = len(self._places) - allowed + 1
        if excess <= 0:
            return 0.0
        answered = sorted(p.freed_at for p in self._places if p.freed_at is not None)
        if len(answered) < excess:
            return IN_FLIGHT_POLL_S  # the places still needed are held by requests not yet answered
        return max(0.001, answered[excess - 1] + self._window_s - now)

    def _expire(self, now: float) -> None:
        kept = [p for p in self._places if p.freed_at is None or p.freed_at + self._window_s > now]
        if len(kept) != len(self._places):
            self._places = kept


class LocalWindows:
    """A new window of this process for every provider instance: requests of other instances or
    other processes with the same key are not counted in it."""

    def window(self, account: str, limit: float, window_s: float) -> SlidingWindow:
        return RequestWindow(limit, window_s)
