"""The seeded fault picker and the fault kinds."""

from __future__ import annotations

import random

import pytest

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.faults import FaultKind, FaultPicker, FaultTarget, GenerationFailure

GENERATION = FaultTarget.GENERATION
READ = FaultTarget.READ
# The kinds of API v1 (the picker's default); v2 has its own (tests below).
GENERATION_KINDS = {kind for kind in FaultKind if kind.target is GENERATION and kind.applies_to(1)}
READ_KINDS = {kind for kind in FaultKind if kind.target is READ and kind.applies_to(1)}


def test_forced_faults_come_first_in_order_even_at_rate_zero() -> None:
    picker = FaultPicker(rate=0.0)
    picker.force([FaultKind.STALL, FaultKind.RECAPTCHA])

    assert [picker.pick(GENERATION) for _ in range(3)] == [FaultKind.STALL, FaultKind.RECAPTCHA, None]


def test_each_request_takes_the_first_forced_fault_of_its_target_and_leaves_the_rest_in_order() -> None:
    picker = FaultPicker(rate=0.0)
    picker.force(
        [FaultKind.GET_SERVER_ERROR, FaultKind.STALL, FaultKind.GET_RATE_LIMIT, FaultKind.SERVER_ERROR]
    )

    assert picker.pick(GENERATION) is FaultKind.STALL
    assert picker.forced == (FaultKind.GET_SERVER_ERROR, FaultKind.GET_RATE_LIMIT, FaultKind.SERVER_ERROR)
    assert picker.pick(READ) is FaultKind.GET_SERVER_ERROR
    assert picker.pick(READ) is FaultKind.GET_RATE_LIMIT
    assert picker.pick(READ) is None
    assert picker.forced == (FaultKind.SERVER_ERROR,)
    assert picker.pick(GENERATION) is FaultKind.SERVER_ERROR
    assert picker.forced == ()


def test_rate_zero_never_and_rate_one_always_picks_a_fault() -> None:
    never = FaultPicker(rate=0.0)
    assert {never.pick(target) for target in (GENERATION, READ) for _ in range(200)} == {None}
    always = FaultPicker(rate=1.0)
    assert None not in {always.pick(target) for target in (GENERATION, READ) for _ in range(200)}


def test_each_target_draws_every_kind_of_its_own_and_none_of_the_other() -> None:
    picker = FaultPicker(rate=1.0, seed=5)

    assert {picker.pick(GENERATION) for _ in range(500)} == GENERATION_KINDS
    assert {picker.pick(READ) for _ in range(100)} == READ_KINDS


def test_the_same_seed_replays_the_same_faults() -> None:
    first = FaultPicker(rate=0.3, seed=9)
    second = FaultPicker(rate=0.3, seed=9)

    assert [first.pick(GENERATION) for _ in range(100)] == [second.pick(GENERATION) for _ in range(100)]
    assert [first.pick(READ) for _ in range(100)] == [second.pick(READ) for _ in range(100)]


def test_reads_in_between_do_not_change_the_sequence_of_generation_faults() -> None:
    alone = FaultPicker(rate=0.5, seed=4)
    mixed = FaultPicker(rate=0.5, seed=4)

    expected = [alone.pick(GENERATION) for _ in range(50)]
    seen = []
    for n in range(50):
        for _ in range(n % 3):
            mixed.pick(READ)
        seen.append(mixed.pick(GENERATION))

    assert seen == expected


def test_generation_draws_are_the_seeded_rng_rolling_then_choosing_every_time() -> None:
    rng = random.Random(12)
    kinds = tuple(kind for kind in FaultKind if kind.target is GENERATION and kind.applies_to(1))
    expected = []
    for _ in range(40):
        roll = rng.random()
        kind = rng.choice(kinds)
        expected.append(kind if roll < 0.4 else None)

    picker = FaultPicker(rate=0.4, seed=12)
    assert [picker.pick(GENERATION) for _ in range(40)] == expected


def test_reseeding_restarts_both_sequences() -> None:
    picker = FaultPicker(rate=0.5, seed=1)
    before = [picker.pick(target) for _ in range(20) for target in (GENERATION, READ)]
    picker.configure(seed=1)

    assert [picker.pick(target) for _ in range(20) for target in (GENERATION, READ)] == before


def test_a_restriction_limits_random_faults_but_not_forced_ones() -> None:
    picker = FaultPicker(rate=1.0, seed=2, kinds=[FaultKind.STALL, FaultKind.GET_RATE_LIMIT])
    picker.force([FaultKind.SERVER_ERROR])

    assert picker.pick(GENERATION) is FaultKind.SERVER_ERROR
    assert {picker.pick(GENERATION) for _ in range(50)} == {FaultKind.STALL}
    assert {picker.pick(READ) for _ in range(50)} == {FaultKind.GET_RATE_LIMIT}
    assert picker.kinds == (FaultKind.STALL, FaultKind.GET_RATE_LIMIT)


def test_a_restriction_without_kinds_of_a_target_gives_that_target_no_random_faults() -> None:
    picker = FaultPicker(rate=1.0, kinds=[FaultKind.GET_SERVER_ERROR])

    assert {picker.pick(GENERATION) for _ in range(50)} == {None}
    assert {picker.pick(READ) for _ in range(50)} == {FaultKind.GET_SERVER_ERROR}
    picker.restrict(None)
    assert picker.kinds is None
    assert None not in {picker.pick(GENERATION) for _ in range(50)}


def test_an_empty_restriction_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least one kind"):
        FaultPicker(kinds=[])


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        FaultPicker().configure(rate=1.5)


def test_unknown_kind_names_list_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="get_rate_limit"):
        FaultKind.parse("gremlins")
    assert FaultKind.parse("stall") is FaultKind.STALL


def test_the_failing_kinds_are_accepted_generation_kinds_with_the_real_error_payloads() -> None:
    failures = {kind: kind.failure for kind in FaultKind if kind.failure is not None}

    assert failures == {
        FaultKind.GENERATION_FAILED: GenerationFailure(500, "Create video error"),
        FaultKind.UNSAFE_GENERATION: GenerationFailure(400, "UNSAFE_GENERATION"),
        FaultKind.AUDIO_FILTERED: GenerationFailure(400, "AUDIO_FILTERED"),
    }
    assert all(kind.accepted and kind.target is GENERATION for kind in failures)
    assert FaultKind.UNSAFE_GENERATION.failure is not None
    assert FaultKind.UNSAFE_GENERATION.failure.body == {"code": 400, "error": "UNSAFE_GENERATION"}


def test_read_kinds_are_never_accepted() -> None:
    assert {
        FaultKind.GET_SERVER_ERROR,
        FaultKind.GET_RATE_LIMIT,
        FaultKind.GET_MAINTENANCE_HTML,
    } == READ_KINDS
    assert not any(kind.accepted for kind in READ_KINDS)


def test_v2_draws_only_its_own_kinds_and_v1_never_meets_them() -> None:
    picker = FaultPicker(rate=1.0, seed=3)

    v2_generation = {picker.pick(GENERATION, api=2) for _ in range(300)}
    v2_reads = {picker.pick(READ, api=2) for _ in range(300)}
    v1_all = {picker.pick(target) for target in (GENERATION, READ) for _ in range(300)}

    assert FaultKind.SLOW_TASK in v2_generation
    assert FaultKind.GET_DROPPED in v2_reads
    assert not v2_generation & {FaultKind.STALL, FaultKind.MALFORMED_EVENT}
    assert not v1_all & {FaultKind.SLOW_TASK, FaultKind.GET_DROPPED}


def test_a_forced_v2_kind_waits_for_a_v2_request() -> None:
    picker = FaultPicker()
    picker.force([FaultKind.SLOW_TASK, FaultKind.SERVER_ERROR])

    assert picker.pick(GENERATION) is FaultKind.SERVER_ERROR
    assert picker.pick(GENERATION, api=2) is FaultKind.SLOW_TASK
