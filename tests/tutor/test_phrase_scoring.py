"""A word's score from what won in its place: the flag margin depends on the kind of rival.

The margins here are numbers, not decodes: what the recogniser makes of real speech is measured by
``bench/practice_scoring.py`` and by the spoken-practice tests.
"""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from framecast.providers.offline.phrase_grammar import HeardWord
from framecast.tutor.phrase_scoring import (
    ONE_MARGIN,
    PHRASE,
    RIVAL_MARGINS,
    Calibration,
    PhraseWords,
    rival_flags,
    rival_kind,
    score_hearing,
    word_score,
)
from framecast.tutor.pronunciation import DEFAULT_THRESHOLD, is_flagged

STRICT_FOR_VOWELS = Calibration(flag=-3.0, good=2.0, bad=-11.0, rival_flags={"IH>IY": -20.0})


def test_what_won_in_a_place_is_named_by_its_kind() -> None:
    assert rival_kind(HeardWord("late", "late", 5.0), "late") is None
    assert rival_kind(HeardWord("late", None, float("-inf")), "late") == "skip"
    assert rival_kind(HeardWord("late", "rate", -9.0, change=("L", "R")), "late") == "L>R"
    assert rival_kind(HeardWord("late", "lake", -9.0), "late") == "neighbour"


def test_a_rival_that_correct_speech_often_wins_needs_a_larger_margin_to_flag() -> None:
    # The same margin: flagged for an r heard for an l, not for the sheep vowel heard for the ship one.
    r_for_l = word_score(-8.0, True, STRICT_FOR_VOWELS, "L>R")
    sheep_for_ship = word_score(-8.0, True, STRICT_FOR_VOWELS, "IH>IY")

    assert r_for_l < DEFAULT_THRESHOLD <= sheep_for_ship
    assert word_score(-25.0, True, STRICT_FOR_VOWELS, "IH>IY") < DEFAULT_THRESHOLD


@pytest.mark.parametrize("rival", [None, "L>R", "IH>IY", "neighbour"])
def test_the_scale_runs_from_zero_to_one_through_the_threshold_at_each_flag_margin(rival: str | None) -> None:
    flag = STRICT_FOR_VOWELS.flag_for(rival)

    assert word_score(flag, True, STRICT_FOR_VOWELS, rival) == pytest.approx(DEFAULT_THRESHOLD)
    assert word_score(STRICT_FOR_VOWELS.good, True, STRICT_FOR_VOWELS, rival) == 1.0
    assert word_score(flag - 8.0, True, STRICT_FOR_VOWELS, rival) == 0.0
    margins = [flag - 9.0, flag - 4.0, flag, flag + 1.0, STRICT_FOR_VOWELS.good]
    values = [word_score(m, True, STRICT_FOR_VOWELS, rival) for m in margins]
    assert values == sorted(values)


def test_an_unscored_word_scores_by_whether_it_was_heard() -> None:
    assert word_score(None, True, PHRASE) == 1.0
    assert word_score(None, False, PHRASE) < 1.0


def test_the_phrase_calibration_reads_the_table_the_bench_writes() -> None:
    source = resources.files("framecast.tutor").joinpath(RIVAL_MARGINS)
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    assert rows, "tutor/data/rival_margins.csv holds no calibration"
    assert dict(PHRASE.rival_flags) == {row["rival"]: float(row["flag_margin"]) for row in rows}
    assert rival_flags() == PHRASE.rival_flags
    # Never more lenient than the default flag margin, never a rival correct speech cannot win.
    assert all(margin <= PHRASE.flag for margin in PHRASE.rival_flags.values())
    assert all(int(row["rival_won"]) <= int(row["correct_words"]) for row in rows)


def test_a_swapped_word_is_flagged_with_what_was_heard_and_the_rest_are_not() -> None:
    phrase = PhraseWords.of("I'll be late")
    heard = [
        HeardWord("i'll", "i'll", None),
        HeardWord("be", "be", None),
        HeardWord("late", "rate", -30.0, change=("L", "R")),
    ]

    scores = score_hearing(phrase, heard, calibration=PHRASE)

    assert [is_flagged(item) for item in scores] == [False, False, True]
    assert (scores[2].heard, scores[2].sound) == ("rate", ("L", "R"))


def test_the_one_margin_calibration_treats_every_rival_alike() -> None:
    assert not ONE_MARGIN.rival_flags
    assert word_score(-8.0, True, ONE_MARGIN, "IH>IY") == word_score(-8.0, True, ONE_MARGIN, "L>R")
