"""The ideals of the batch bench: what a perfect client reaches, computed (never measured).

Every ideal ignores request round trips, downloads and the database: it is the schedule a client
with no overhead at all would follow under the same rules (concurrency, latency, the provider's own
poll interval, the service's rate window).
"""

from __future__ import annotations

import bisect
import math

WINDOW_S = 60.0


def ideal_streamed(n: int, concurrency: int, latency: float) -> float:
    """GenAIPro v1 (one SSE stream per item, the result pushed at once): ceil(n/c) waves of L."""
    return math.ceil(n / concurrency) * latency


def seen_after(latency: float, poll_s: float) -> float:
    """When a client polling one operation every ``poll_s`` (first read right after creating it)
    first sees it done: the first multiple of ``poll_s`` at or after the latency."""
    return math.ceil(latency / poll_s - 1e-9) * poll_s


def ideal_polled(n: int, concurrency: int, latency: float, poll_s: float) -> float:
    """Google Veo (each operation polled on its own every ``poll_s``): ceil(n/c) waves, each lasting
    the latency rounded up to the poll interval."""
    return math.ceil(n / concurrency) * seen_after(latency, poll_s)


def ideal_under_window(n: int, concurrency: int, latency: float, per_minute: int) -> float:
    """Finish time of a perfect client: starts a request as soon as both a slot and the window allow."""
    starts: list[float] = []
    finishes: list[float] = []
    for i in range(n):
        t = 0.0
        if i >= concurrency:
            t = max(t, sorted(finishes)[i - concurrency])
        if i >= per_minute:
            t = max(t, starts[i - per_minute] + WINDOW_S)
        starts.append(t)
        finishes.append(t + latency)
    return max(finishes)


class _Window:
    """The emulator's sliding window: a request at ``t`` occupies one of ``limit`` places until
    ``t + 60`` (state.SlidingWindowLimiter)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.times: list[float] = []

    def in_window(self, t: float) -> int:
        return len(self.times) - bisect.bisect_right(self.times, t - WINDOW_S)

    def free_at(self, t: float, places: int) -> float:
        """The earliest time >= ``t`` at which fewer than ``places`` requests are in the window."""
        if places <= 0:
            return math.inf
        busy = self.in_window(t)
        if busy < places:
            return t
        oldest = len(self.times) - busy
        return self.times[oldest + busy - places] + WINDOW_S

    def add(self, t: float) -> None:
        bisect.insort(self.times, t)


def _v2_schedule(
    n: int, concurrency: int, latency: float, poll_s: float, per_minute: int, reserve: int
) -> float:
    """One perfect v2 client: it submits whenever a slot is free and the window has more than
    ``reserve`` places left (kept for polls), and reads every task in flight with one request (a
    histories page) every ``poll_s`` from its first submission, as soon as the window allows."""
    window = _Window(per_minute)
    in_flight: list[float] = []  # when each task in flight is done at the service
    submitted = 0
    t = 0.0
    next_poll = math.inf
    while True:
        while submitted < n and len(in_flight) < concurrency and window.free_at(t, per_minute - reserve) == t:
            if not in_flight and next_poll == math.inf:
                next_poll = t + poll_s
            window.add(t)
            in_flight.append(t + latency)
            submitted += 1
        if submitted == n and not in_flight:
            return t
        events = []
        if in_flight:
            events.append(window.free_at(max(t, next_poll), per_minute))
        if submitted < n and len(in_flight) < concurrency:
            events.append(window.free_at(t, per_minute - reserve))
        t_next = min(events)
        assert t_next < math.inf, "no request can ever be sent"
        t = max(t, t_next)
        if in_flight and t >= next_poll and window.free_at(t, per_minute) == t:
            window.add(t)
            in_flight = [done for done in in_flight if done > t]
            next_poll = t + poll_s if in_flight or submitted < n else math.inf


def ideal_v2(n: int, concurrency: int, latency: float, poll_s: float, per_minute: int) -> float:
    """GenAIPro v2: submissions and polls share ``per_minute`` requests in any sliding minute. The
    best of the perfect clients above over every number of places kept for polls (0 to all but
    one): a client that spends the window on submissions alone can starve its own polls."""
    return min(
        _v2_schedule(n, concurrency, latency, poll_s, per_minute, reserve) for reserve in range(per_minute)
    )
