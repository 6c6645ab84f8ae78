from __future__ import annotations

import asyncio

import pytest

from framecast.jobs.limits import AdaptiveLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_no_more_than_concurrency_slots_are_held() -> None:
    limiter = AdaptiveLimiter(2, 6000)
    await limiter.acquire()
    await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    await limiter.release()
    await asyncio.wait_for(waiter, 1)
    assert limiter.in_flight == 2


def test_a_429_lowers_the_rate_and_successes_probe_it_back_up() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(4, 100, clock=clock)
    pause = limiter.on_rate_limited(retry_after=7)
    assert pause == 7
    assert limiter.rate == pytest.approx(70)
    for _ in range(3):
        limiter.on_success()
    assert limiter.rate == pytest.approx(85)
    for _ in range(100):
        limiter.on_success()
    assert limiter.rate == 100


def test_without_retry_after_the_pause_grows_exponentially() -> None:
    limiter = AdaptiveLimiter(1, 60, clock=Clock())
    pauses = [limiter.on_rate_limited(None) for _ in range(4)]
    assert pauses == [2, 4, 8, 16]


def test_a_pause_blocks_acquisition_until_it_ends() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(3, 60, clock=clock)
    limiter.on_rate_limited(retry_after=5)
    assert limiter.wait_needed(clock.now) == pytest.approx(5)
    clock.now = 5.0
    # The bucket starts empty after the pause, so the lowered rate (42/min) paces the next start.
    assert limiter.wait_needed(clock.now) == pytest.approx(60 / 42)
