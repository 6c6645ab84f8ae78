"""The seeded fault picker and the fault kinds."""

from __future__ import annotations

import pytest

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.faults import FaultKind, FaultPicker


def test_forced_faults_come_first_in_order_even_at_rate_zero() -> None:
    picker = FaultPicker(rate=0.0)
    picker.force([FaultKind.STALL, FaultKind.RECAPTCHA])

    assert [picker.pick() for _ in range(3)] == [FaultKind.STALL, FaultKind.RECAPTCHA, None]


def test_rate_zero_never_and_rate_one_always_picks_a_fault() -> None:
    assert {FaultPicker(rate=0.0).pick() for _ in range(200)} == {None}
    always = FaultPicker(rate=1.0)
    assert None not in {always.pick() for _ in range(200)}


def test_kinds_are_drawn_uniformly_enough_to_cover_every_kind() -> None:
    picker = FaultPicker(rate=1.0, seed=5)

    assert {picker.pick() for _ in range(500)} == set(FaultKind)


def test_the_same_seed_replays_the_same_faults() -> None:
    first = FaultPicker(rate=0.3, seed=9)
    second = FaultPicker(rate=0.3, seed=9)

    assert [first.pick() for _ in range(100)] == [second.pick() for _ in range(100)]


def test_reseeding_restarts_the_sequence() -> None:
    picker = FaultPicker(rate=0.5, seed=1)
    before = [picker.pick() for _ in range(20)]
    picker.configure(seed=1)

    assert [picker.pick() for _ in range(20)] == before


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        FaultPicker().configure(rate=1.5)


def test_unknown_kind_names_list_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="stall"):
        FaultKind.parse("gremlins")
    assert FaultKind.parse("stall") is FaultKind.STALL
