"""What one learner may take of what all share: turns per minute, and fair turns at the recogniser."""

from __future__ import annotations

import asyncio

import pytest

from framecast.core.errors import TooManyAttemptsError
from framecast.tutor.quotas import RecognitionQueue, TurnRate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_turns_over_the_rate_are_refused_until_the_oldest_leaves_the_minute() -> None:
    clock = Clock()
    rate = TurnRate(3, clock=clock)
    for _ in range(3):
        rate.take("ann")
        clock.now += 10

    with pytest.raises(TooManyAttemptsError, match="at most 3 a minute") as refused:
        rate.take("ann")
    rate.take("ben")  # another learner is not slowed

    assert refused.value.retry_after == pytest.approx(30.0)
    clock.now += 30
    rate.take("ann")


class Hearing:
    """Recordings that finish when the test says so; records the order they start in."""

    def __init__(self, queue: RecognitionQueue) -> None:
        self.queue = queue
        self.started: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    def hear(self, user: str, name: str) -> asyncio.Task[None]:
        self.release[name] = asyncio.Event()

        async def run() -> None:
            async with self.queue.turn(user):
                self.started.append(name)
                await self.release[name].wait()

        return asyncio.create_task(run())


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_learners_recordings_are_heard_in_order_one_at_a_time_beside_other_learners() -> None:
    hearing = Hearing(RecognitionQueue(slots=2, per_user=3))
    tasks = [hearing.hear("ann", "a1"), hearing.hear("ann", "a2"), hearing.hear("ann", "a3")]
    await settle()
    tasks.append(hearing.hear("ben", "b1"))
    await settle()

    assert hearing.started == ["a1", "b1"]  # ann's backlog waits; ben takes the free slot at once
    hearing.release["a1"].set()
    await settle()
    assert hearing.started == ["a1", "b1", "a2"]
    for name in ("b1", "a2", "a3"):
        hearing.release[name].set()
    await asyncio.gather(*tasks)
    assert hearing.started == ["a1", "b1", "a2", "a3"]
    assert hearing.queue.held("ann") == 0


async def test_more_learners_than_slots_take_turns() -> None:
    hearing = Hearing(RecognitionQueue(slots=1, per_user=3))
    tasks = [hearing.hear("ann", "a1"), hearing.hear("ann", "a2")]
    await settle()
    tasks += [hearing.hear("ben", "b1"), hearing.hear("cat", "c1")]
    await settle()

    for name in ("a1", "b1", "c1", "a2"):
        hearing.release[name].set()
        await settle()
    await asyncio.gather(*tasks)

    assert hearing.started == ["a1", "b1", "c1", "a2"]


async def test_a_learner_holding_their_share_is_refused_at_once() -> None:
    hearing = Hearing(RecognitionQueue(slots=2, per_user=2))
    tasks = [hearing.hear("ann", "a1"), hearing.hear("ann", "a2")]
    await settle()

    with pytest.raises(TooManyAttemptsError, match="2 recordings waiting to be heard"):
        async with hearing.queue.turn("ann"):
            pass
    async with hearing.queue.turn("ben"):
        pass

    for event in hearing.release.values():
        event.set()
    await asyncio.gather(*tasks)


async def test_a_recording_given_up_while_waiting_holds_nothing() -> None:
    hearing = Hearing(RecognitionQueue(slots=1, per_user=2))
    first = hearing.hear("ann", "a1")
    waiting = hearing.hear("ben", "b1")
    await settle()
    waiting.cancel()
    await settle()

    assert hearing.queue.held("ben") == 0
    later = hearing.hear("cat", "c1")
    hearing.release["a1"].set()
    await settle()
    assert hearing.started == ["a1", "c1"]  # the slot went to the next learner, not to nobody
    hearing.release["c1"].set()
    await asyncio.gather(first, later)
