"""What one learner may take of what every learner shares: turns per minute and the recogniser.

Both are kept in memory, per process (one server process serves the Tutor), and both refuse with
``TooManyAttemptsError`` carrying ``retry_after``: the socket sends it as an ``error`` with
``retry_after``, the REST routes answer 429 with ``Retry-After``.

**Turns per minute** (:class:`TurnRate`): a learner's text and spoken messages over the last minute,
counted when a turn is accepted.

**The recogniser** (:class:`RecognitionQueue`): ``slots`` recordings are heard at once. One learner's
recordings are heard one after another, in the order they came; different learners' side by side;
and when more learners wait than there are slots, they take turns (round robin). So a learner's
backlog never delays another learner's single short turn by more than the recording being heard.
A learner may hold ``per_user`` recordings at once (waiting or being heard); one more is refused.

Both work from any thread and event loop (tests serve one application from more than one loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass, field

from framecast.core.errors import TooManyAttemptsError

WINDOW_S = 60.0
# What a refused recording is told to wait: about one short turn being heard.
BUSY_RETRY_S = 5.0


class TurnRate:
    """At most ``per_minute`` turns per learner in any 60 seconds."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._turns: dict[Hashable, deque[float]] = {}

    def take(self, user: Hashable) -> None:
        """Count one turn of ``user``.

        Raises ``TooManyAttemptsError`` (nothing counted) when ``user`` had ``per_minute`` turns in
        the last minute; ``retry_after`` is when the oldest of them leaves the window.
        """
        now = self._clock()
        with self._lock:
            turns = self._turns.setdefault(user, deque())
            while turns and turns[0] <= now - WINDOW_S:
                turns.popleft()
            if len(turns) >= self.per_minute:
                wait = max(1.0, turns[0] + WINDOW_S - now)
                raise TooManyAttemptsError(
                    f"too many messages: at most {self.per_minute} a minute; this one was not stored, "
                    f"send it again in {wait:.0f} s",
                    retry_after=wait,
                )
            turns.append(now)


@dataclass(eq=False)
class _Ticket:
    user: Hashable
    loop: asyncio.AbstractEventLoop
    ready: asyncio.Future[None]
    granted: bool = False


@dataclass
class _State:
    busy: int = 0  # recordings being heard
    held: dict[Hashable, int] = field(default_factory=dict)  # per learner: waiting + being heard
    hearing: set[Hashable] = field(default_factory=set)  # learners with a recording being heard
    # Learners with recordings waiting, in the order they take turns (dicts keep insertion order).
    waiting: dict[Hashable, deque[_Ticket]] = field(default_factory=dict)


class RecognitionQueue:
    """Fair turns at the speech recogniser: see the module docstring."""

    def __init__(self, *, slots: int, per_user: int) -> None:
        self.slots = slots
        self.per_user = per_user
        self._lock = threading.Lock()
        self._state = _State()

    def held(self, user: Hashable) -> int:
        """Recordings of ``user`` waiting or being heard."""
        with self._lock:
            return self._state.held.get(user, 0)

    @contextlib.asynccontextmanager
    async def turn(self, user: Hashable) -> AsyncIterator[None]:
        """Wait for ``user``'s turn at the recogniser and hold it while inside.

        Raises ``TooManyAttemptsError`` at once when ``user`` already holds ``per_user`` recordings.
        """
        loop = asyncio.get_running_loop()
        ticket = _Ticket(user, loop, loop.create_future())
        with self._lock:
            state = self._state
            if state.held.get(user, 0) >= self.per_user:
                raise TooManyAttemptsError(
                    f"you already have {self.per_user} recordings waiting to be heard; wait for their "
                    "answers before sending another",
                    retry_after=BUSY_RETRY_S,
                )
            state.held[user] = state.held.get(user, 0) + 1
            state.waiting.setdefault(user, deque()).append(ticket)
            granted = self._dispatch()
        self._wake(granted)
        try:
            await ticket.ready
        except BaseException:
            self._leave(ticket)
            raise
        try:
            yield
        finally:
            self._leave(ticket)

    def _leave(self, ticket: _Ticket) -> None:
        with self._lock:
            state = self._state
            if ticket.granted:
                state.busy -= 1
                state.hearing.discard(ticket.user)
                if ticket.user in state.waiting:  # just had a turn: the others who wait go first
                    state.waiting[ticket.user] = state.waiting.pop(ticket.user)
            else:  # given up while waiting (the socket closed)
                queue = state.waiting.get(ticket.user)
                if queue is not None and ticket in queue:
                    queue.remove(ticket)
                    if not queue:
                        del state.waiting[ticket.user]
            state.held[ticket.user] -= 1
            if not state.held[ticket.user]:
                del state.held[ticket.user]
            granted = self._dispatch()
        self._wake(granted)

    def _dispatch(self) -> list[_Ticket]:
        """Under the lock: give free slots to the next learners in turn who are not being heard."""
        state = self._state
        granted: list[_Ticket] = []
        while state.busy < self.slots:
            user = next((u for u in state.waiting if u not in state.hearing), None)
            if user is None:
                break
            queue = state.waiting[user]
            ticket = queue.popleft()
            if not queue:
                del state.waiting[user]
            ticket.granted = True
            state.busy += 1
            state.hearing.add(user)
            granted.append(ticket)
        return granted

    def _wake(self, tickets: list[_Ticket]) -> None:
        for ticket in tickets:
            try:
                ticket.loop.call_soon_threadsafe(_resolve, ticket.ready)
            except RuntimeError:  # its event loop has closed: nobody waits for this slot any more
                self._leave(ticket)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
