"""Limits shared through the database: two SharedLimiters on one account stand for two workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from framecast.db.base import utcnow
from framecast.db.models import LimitRate, LimitSlot
from framecast.db.session import Database
from framecast.jobs.shared_limits import SharedLimiter


def _pair(db: Database, concurrency: int = 2, rate: float = 6000.0) -> tuple[SharedLimiter, SharedLimiter]:
    return (
        SharedLimiter(db, "genaipro", concurrency, rate, holder="worker-a", lease_s=30),
        SharedLimiter(db, "genaipro", concurrency, rate, holder="worker-b", lease_s=30),
    )


async def test_workers_together_never_exceed_the_accounts_concurrency(db: Database) -> None:
    limiters = [SharedLimiter(db, "genaipro", 3, 6000.0, holder=f"w{n}", lease_s=30) for n in range(3)]
    in_flight = 0
    most = 0

    async def request(limiter: SharedLimiter) -> None:
        nonlocal in_flight, most
        async with limiter.slot():
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1

    await asyncio.wait_for(asyncio.gather(*(request(limiters[n % 3]) for n in range(18))), 60)
    assert most == 3  # all three slots were used, never a fourth
    with db.session() as session:
        assert all(row.holder is None for row in session.scalars(select(LimitSlot)))


async def test_a_slot_held_by_one_worker_makes_the_other_wait_until_it_is_given_back(db: Database) -> None:
    a, b = _pair(db, concurrency=1)
    held = b.slot()  # kept: a dropped context manager gives its slot back when collected
    async with a.slot():
        waiting = asyncio.create_task(held.__aenter__())
        await asyncio.sleep(0.6)
        assert not waiting.done()
        assert await b.claimable(0) == 0
    await asyncio.wait_for(waiting, 5)
    assert b.in_flight == 1
    await held.__aexit__(None, None, None)
    assert b.in_flight == 0


async def test_a_dead_workers_slot_comes_back_when_its_lease_runs_out(db: Database) -> None:
    a, b = _pair(db, concurrency=1)
    killed = a.slot()
    await killed.__aenter__()  # taken, never given back: the worker was killed
    assert await b.claimable(0) == 0
    with db.session() as session:
        for row in session.scalars(select(LimitSlot)):
            row.lease_until = utcnow() - timedelta(seconds=1)
    async with asyncio.timeout(5), b.slot():
        assert b.in_flight == 1
    assert killed is not None


async def test_a_429_met_by_one_worker_pauses_and_slows_the_other(db: Database) -> None:
    a, b = _pair(db, concurrency=2, rate=60.0)
    async with a.slot():
        pass
    pause = await a.rate_limited(retry_after=0.6)
    assert pause == pytest.approx(0.6)
    with db.session() as session:
        bucket = session.scalar(select(LimitRate))
        assert bucket is not None
        assert bucket.rate == pytest.approx(42.0)
        assert bucket.rate_limited == 1
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with b.slot():
        waited = loop.time() - started
    # The pause, then the bucket starts empty at the lowered rate: 60/42 s for the next token.
    assert waited >= 0.6
    assert b.rate == pytest.approx(42.0)
    await b.succeeded()
    assert a.rate == pytest.approx(42.0)  # a learns of it on its next look
    async with a.slot():
        assert a.rate == pytest.approx(45.0)
