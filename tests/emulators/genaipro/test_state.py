"""Accounting without a server: the sliding window, admission order, charging, history pages."""

from __future__ import annotations

from datetime import UTC

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.state import (
    EmulatorState,
    HistoryRecord,
    ItemStatus,
    Order,
    Refusal,
    RefusalReason,
    SlidingWindowLimiter,
)
from framecast.providers.base import Aspect, Mode


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def order(count: int = 1, mode: Mode = Mode.TEXT, prompt: str = "a cat") -> Order:
    return Order(mode=mode, prompt=prompt, aspect=Aspect.LANDSCAPE, count=count)


def admit(state: EmulatorState, o: Order, fault: FaultKind | None = None) -> list[HistoryRecord] | Refusal:
    return state.admit(o, fault=fault, tz=UTC)


def test_the_window_frees_a_slot_sixty_seconds_after_the_oldest_request() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, clock=clock)

    assert limiter.try_acquire() is None
    clock.now += 10
    assert limiter.try_acquire() is None
    clock.now += 5
    assert limiter.try_acquire() == 45.0
    clock.now += 45
    assert limiter.try_acquire() is None
    assert limiter.try_acquire() == 10.0


def test_a_zero_limit_never_refuses() -> None:
    limiter = SlidingWindowLimiter(0)

    assert all(limiter.try_acquire() is None for _ in range(1000))


def test_the_rate_limit_is_checked_before_concurrency_and_quota() -> None:
    clock = FakeClock()
    state = EmulatorState(quota=0, rate_per_minute=1, concurrency=1, clock=clock)
    state.in_flight = 1

    first = admit(state, order())
    second = admit(state, order())

    assert first == Refusal(RefusalReason.CONCURRENCY, retry_after=1)
    assert second == Refusal(RefusalReason.RATE_LIMIT, retry_after=60)


def test_quota_refuses_an_order_costing_more_than_is_left() -> None:
    state = EmulatorState(quota=3, rate_per_minute=0, concurrency=0)

    assert isinstance(admit(state, order(count=2)), list)
    assert admit(state, order(count=2)) == Refusal(RefusalReason.QUOTA)
    assert (state.quota_used, state.quota_available, state.stats.refused) == (2, 1, 1)


def test_accepting_charges_records_and_counts() -> None:
    state = EmulatorState(quota=None, rate_per_minute=0, concurrency=0)

    records = admit(state, order(count=3), fault=FaultKind.STALL)

    assert isinstance(records, list)
    assert len(records) == 3
    assert all(r.status is ItemStatus.PROCESSING for r in records)
    assert [r.file_names for r in records] == [(f"{r.id}.mp4",) for r in records]
    assert (state.quota_used, state.in_flight, state.stats.accepted) == (3, 1, 1)
    assert state.stats.accepted_prompts == {"a cat": 1}
    assert state.stats.faults == {"stall": 1}
    assert state.quota_available is None


def test_an_image_order_is_one_row_with_a_file_per_image() -> None:
    state = EmulatorState(quota=None, rate_per_minute=0, concurrency=0)

    records = admit(state, order(count=3, mode=Mode.IMAGE))
    assert isinstance(records, list)
    [record] = records

    assert record.file_names == (f"{record.id}.png", f"{record.id}-2.png", f"{record.id}-3.png")
    assert state.record_for_file(f"{record.id}-3.png") is record
    assert state.quota_used == 3


def test_finishing_completes_or_fails_the_rows_and_frees_the_slot() -> None:
    state = EmulatorState(quota=None, rate_per_minute=0, concurrency=1)
    done = admit(state, order(prompt="one"))
    assert isinstance(done, list)
    state.finish(done)
    failed = admit(state, order(prompt="two"))
    assert isinstance(failed, list)
    state.finish(failed, error="UNSAFE_GENERATION")

    assert [r.status for r in done + failed] == [ItemStatus.COMPLETED, ItemStatus.FAILED]
    assert failed[0].error == "UNSAFE_GENERATION"
    assert (state.in_flight, state.stats.completed, state.stats.failed) == (0, 1, 1)
    assert (state.stats_json()["completed"], state.stats_json()["failed"]) == (1, 1)


def test_a_read_fault_is_counted_with_the_faults_and_on_its_own() -> None:
    state = EmulatorState(quota=None, rate_per_minute=0, concurrency=0)

    state.read_fault(FaultKind.GET_RATE_LIMIT)

    stats = state.stats_json()
    assert (stats["read_faults"], stats["faults"], stats["requests"]) == (1, {"get_rate_limit": 1}, 0)


def test_pages_are_newest_first() -> None:
    state = EmulatorState(quota=None, rate_per_minute=0, concurrency=0)
    for n in range(3):
        admit(state, order(prompt=f"p{n}"))

    rows, total = state.page(1, 2)

    assert ([r.prompt for r in rows], total) == (["p2", "p1"], 3)
    assert [r.prompt for r in state.page(2, 2)[0]] == ["p0"]
