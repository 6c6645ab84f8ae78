"""Per-provider concurrency and request-rate limits that adapt to 429s.

The rate is a token bucket. A 429 pauses the provider for ``Retry-After`` (or an exponential back-off
when the header is missing) and lowers the rate multiplicatively; every success then probes it back
up additively towards the configured ceiling (AIMD, as TCP does). :class:`AdaptiveLimiter` keeps
them in one process (a local renderer's limit is its host's); ``jobs/shared_limits.py`` keeps a
provider account's in the database for every worker, with the same arithmetic (below).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol


def raised(rate: float, ceiling: float) -> float:
    """The rate after a success: 5% of the ceiling more, up to the ceiling."""
    return min(ceiling, rate + ceiling * 0.05)


def lowered(rate: float, min_rate: float) -> float:
    """The rate after a 429: 30% less, down to the floor."""
    return max(min_rate, rate * 0.7)


def pause_after_429(retry_after: float | None, consecutive: int) -> float:
    """``Retry-After`` when the provider said it, else 2, 4, 8… seconds, at most 60."""
    return retry_after if retry_after is not None else min(60.0, 2.0 ** min(consecutive, 6))


def refilled(tokens: float, elapsed_s: float, rate: float, burst: float) -> float:
    """The bucket after ``elapsed_s`` seconds at ``rate`` per minute, holding at most ``burst``."""
    return min(burst, tokens + max(0.0, elapsed_s) * rate / 60.0)


@dataclass
class LimiterStats:
    acquired: int = 0
    rate_limited: int = 0
    waited_s: float = 0.0


class AdaptiveLimiter:
    """At most ``concurrency`` requests in flight and about ``rate_per_minute`` started per minute."""

    def __init__(
        self,
        concurrency: int,
        rate_per_minute: float,
        *,
        min_rate_per_minute: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.ceiling = max(rate_per_minute, min_rate_per_minute)
        self.rate = self.ceiling
        self.min_rate = min_rate_per_minute
        self._clock = clock
        self._in_flight = 0
        self._tokens = float(concurrency)
        self._last_refill = clock()
        self._paused_until = 0.0
        self._consecutive_429 = 0
        self._cond = asyncio.Condition()
        self.stats = LimiterStats()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def free_slots(self) -> int:
        return max(0, self.concurrency - self._in_flight)

    def _refill(self, now: float) -> None:
        if now <= self._last_refill:
            return
        self._tokens = refilled(self._tokens, now - self._last_refill, self.rate, float(self.concurrency))
        self._last_refill = now

    def wait_needed(self, now: float) -> float:
        if now < self._paused_until:
            return self._paused_until - now
        if self._in_flight >= self.concurrency:
            return -1.0  # wait for a release
        self._refill(now)
        if self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) * 60.0 / self.rate

    async def acquire(self) -> None:
        started = self._clock()
        async with self._cond:
            while True:
                wait = self.wait_needed(self._clock())
                if wait == 0.0:
                    self._tokens -= 1.0
                    self._in_flight += 1
                    self.stats.acquired += 1
                    self.stats.waited_s += self._clock() - started
                    return
                if wait < 0:
                    await self._cond.wait()
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cond.wait(), timeout=wait)

    async def release(self) -> None:
        async with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            await self.release()

    def on_success(self) -> None:
        """Probe upward: add 5% of the ceiling per success, up to the ceiling."""
        self._consecutive_429 = 0
        self.rate = raised(self.rate, self.ceiling)

    def on_rate_limited(self, retry_after: float | None) -> float:
        """Back off after a 429; returns the pause applied to every request of this provider."""
        self.stats.rate_limited += 1
        self._consecutive_429 += 1
        self.rate = lowered(self.rate, self.min_rate)
        pause = pause_after_429(retry_after, self._consecutive_429)
        self._paused_until = max(self._paused_until, self._clock() + pause)
        # Start the bucket empty when the pause ends so the resumed flow follows the lowered rate.
        self._tokens = min(self._tokens, 0.0)
        self._last_refill = max(self._last_refill, self._paused_until)
        return pause

    # The asynchronous face every limiter shares (``jobs/shared_limits.py`` writes to the database).

    async def succeeded(self) -> None:
        self.on_success()

    async def rate_limited(self, retry_after: float | None) -> float:
        return self.on_rate_limited(retry_after)

    async def claimable(self, running: int) -> int:
        """How many more jobs a worker running ``running`` of this provider's may claim now."""
        return max(0, self.concurrency - running)

    async def wake(self) -> None:
        async with self._cond:
            self._cond.notify_all()


class Limiter(Protocol):
    """What the worker and the kinds use of a provider's limits, kept in-process or shared."""

    concurrency: int
    rate: float
    ceiling: float
    stats: LimiterStats

    @property
    def in_flight(self) -> int: ...

    def slot(self) -> AbstractAsyncContextManager[None]: ...

    async def succeeded(self) -> None: ...

    async def rate_limited(self, retry_after: float | None) -> float: ...

    async def claimable(self, running: int) -> int: ...
