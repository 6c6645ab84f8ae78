"""The batch bench's ideals, worked by hand: they are the targets, so they must be right."""

from __future__ import annotations

from bench.batch_ideals import _v2_schedule, ideal_polled, ideal_streamed, ideal_v2, seen_after


def test_a_polled_operation_is_seen_at_the_first_read_at_or_after_its_latency() -> None:
    assert seen_after(2.0, 0.75) == 2.25
    assert seen_after(2.0, 0.5) == 2.0  # a read exactly when it is done sees it
    assert ideal_polled(200, 10, 2.0, 0.75) == 45.0
    assert ideal_streamed(200, 10, 2.0) == 40.0


def test_v2_fills_the_empty_window_then_waits_for_the_first_minute_to_leave_it() -> None:
    # 10 at 0, poll + 10 at 10 s, poll + 9 at 20 s: 30 requests, the window is full until 60 s;
    # then the round sees the third wave, 9 + 2 more are sent by 70 s, the round at 80 s sees them.
    assert ideal_v2(40, 10, 5.0, 10.0, 30) == 80.0


def test_v2_without_a_window_is_the_polled_ideal_on_the_round_grid() -> None:
    assert ideal_v2(40, 10, 5.0, 10.0, 100000) == 40.0  # four waves, each seen by the next round


def test_a_v2_client_that_keeps_too_many_places_for_polls_is_slower() -> None:
    assert _v2_schedule(40, 10, 5.0, 10.0, 30, reserve=29) > ideal_v2(40, 10, 5.0, 10.0, 30)
