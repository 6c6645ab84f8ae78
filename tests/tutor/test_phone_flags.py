"""Flags from a word's phones: the phone loop heard a Korean-learner swap and the phone fits worse
than its calibrated flag. Numbers here, not decodes (``tests/providers/offline/test_phone_goodness.py``
decodes; ``bench/practice_scoring.py`` measures)."""

from __future__ import annotations

import csv
import dataclasses
from importlib import resources

from framecast.providers.offline.phone_goodness import PhoneGoodness
from framecast.providers.offline.phrase_grammar import HeardWord
from framecast.providers.offline.sound_alikes import KOREAN_SWAPS
from framecast.tutor.phone_flags import (
    GOODNESS_CAP,
    MAX_SWAPPED_SHARE,
    MIN_OCCURRENCES,
    PHONE_FLAGS,
    calibrate_flags,
    goodness_score,
    heard_swapped,
    phone_flags,
    weakest_phone,
)
from framecast.tutor.phrase_scoring import MARGIN_ONLY, PHRASE, PhraseWords, score_hearing
from framecast.tutor.pronunciation import DEFAULT_THRESHOLD, is_flagged, pronunciation_corrections

FLAGS = {"L": 0.0, "IY": -40.0}


def _phone(name: str, goodness: float, loop: str) -> PhoneGoodness:
    return PhoneGoodness(name, 0, 5, goodness, loop)


def _late(l_goodness: float, l_loop: str) -> tuple[PhoneGoodness, ...]:
    return (_phone("L", l_goodness, l_loop), _phone("EY", -5.0, "EY"), _phone("T", -3.0, "T"))


def test_a_phone_is_weak_only_when_the_loop_heard_its_swap_and_it_fits_under_its_flag() -> None:
    assert heard_swapped(_phone("L", -30.0, "R"))
    assert not heard_swapped(_phone("L", -30.0, "L"))

    weak = weakest_phone(_late(-30.0, "R"), FLAGS)
    assert weak is not None
    assert weak.sound == ("L", "R")
    assert weak.shortfall == -30.0
    assert weakest_phone(_late(-30.0, "L"), FLAGS) is None  # the loop heard the l itself
    assert weakest_phone(_late(5.0, "R"), FLAGS) is None  # it fits as well as the loop's r
    assert weakest_phone(_late(-30.0, "R"), {"IY": -40.0}) is None  # no flag for l


def test_the_further_under_the_flag_the_lower_the_score_always_under_the_threshold() -> None:
    scores = []
    for goodness in (-1.0, -20.0, -60.0, -500.0):
        weak = weakest_phone(_late(goodness, "R"), FLAGS)
        assert weak is not None
        scores.append(goodness_score(weak))
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score < DEFAULT_THRESHOLD for score in scores)
    assert scores[-1] == 0.0


def test_a_word_heard_as_itself_is_flagged_from_its_phones_and_told_the_sound() -> None:
    phrase = PhraseWords.of("I'll be late")
    heard = [
        HeardWord("i'll", "i'll", None),
        HeardWord("be", "be", None),
        HeardWord("late", "late", 1.0, phones=_late(-30.0, "R")),  # the grammar kept "late"
    ]
    with_phones = dataclasses.replace(MARGIN_ONLY, phone_flags=FLAGS)

    before = score_hearing(phrase, heard, calibration=MARGIN_ONLY)
    after = score_hearing(phrase, heard, calibration=with_phones)

    assert not is_flagged(before[2])
    assert is_flagged(after[2])
    assert after[2].heard == "late"
    assert after[2].sound == ("L", "R")
    assert before[:2] == after[:2]
    (correction,) = pronunciation_corrections(after)
    assert correction.original == "late"
    # Said right: the same word, its l heard as an l by the loop, is not flagged.
    right = [*heard[:2], HeardWord("late", "late", 1.0, phones=_late(-30.0, "L"))]
    assert not any(is_flagged(item) for item in score_hearing(phrase, right, calibration=with_phones))


def test_calibration_allows_its_share_of_false_flags_and_skips_phones_the_loop_confuses() -> None:
    count = 100
    # l: the loop heard r in 2 correct occurrences (goodness -50, -10); ih: in 40 (it cannot tell).
    l_phones = [_phone("L", g, "R") for g in (-50.0, -10.0)] + [_phone("L", 0.0, "L")] * (count - 2)
    ih_phones = [_phone("IH", -5.0, "IY")] * 40 + [_phone("IH", 0.0, "IH")] * (count - 40)
    few = [_phone("F", -5.0, "P")] * (MIN_OCCURRENCES - 1)

    none_allowed = calibrate_flags([*l_phones, *ih_phones, *few], false_flags=0.0)
    one_allowed = calibrate_flags([*l_phones, *ih_phones, *few], false_flags=0.01)
    no_swaps = calibrate_flags([_phone("R", 0.0, "R")] * count, false_flags=0.0)

    assert none_allowed["L"] == (-50.0, count, 2)  # under the worst correct one only
    assert one_allowed["L"][0] == -10.0
    assert "IH" not in none_allowed
    assert MAX_SWAPPED_SHARE * count < 40
    assert "F" not in none_allowed  # too few to calibrate
    assert no_swaps["R"] == (GOODNESS_CAP, count, 0)


def test_the_phrase_calibration_reads_the_phone_table_the_bench_writes() -> None:
    source = resources.files("framecast.tutor").joinpath(PHONE_FLAGS)
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    assert rows, "tutor/data/phone_goodness_flags.csv holds no calibration"
    assert dict(PHRASE.phone_flags) == phone_flags() == {r["phone"]: float(r["flag_goodness"]) for r in rows}
    assert not MARGIN_ONLY.phone_flags
    for row in rows:
        assert row["phone"] in KOREAN_SWAPS
        assert float(row["flag_goodness"]) <= GOODNESS_CAP
        assert int(row["correct_phones"]) >= MIN_OCCURRENCES
        assert int(row["loop_heard_swap"]) <= MAX_SWAPPED_SHARE * int(row["correct_phones"])
