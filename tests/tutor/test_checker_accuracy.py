"""The checker's accuracy bar on the learner sentences of bench/data (precision first)."""

from __future__ import annotations

from bench.checker_accuracy import (
    CORRECT,
    HOLDOUT,
    Case,
    CharEdit,
    baseline_checker,
    evaluate,
    expected_edits,
    load_cases,
)


def test_the_evaluation_set_is_large_and_one_third_correct() -> None:
    cases = load_cases()
    correct = [c for c in cases if c.family == CORRECT]
    assert len(cases) >= 150
    assert len(correct) * 3 >= len(cases)
    assert all(c.sentence == c.expected for c in correct)
    assert all(c.sentence != c.expected for c in cases if c.family != CORRECT)


def test_the_checker_meets_the_bar_with_no_false_alarm() -> None:
    metrics = evaluate()
    assert metrics.false_alarm_sentences == 0, metrics.false_positives
    assert metrics.precision >= 0.85, metrics.false_positives
    assert metrics.recall >= 0.6, metrics.misses


def test_the_held_out_sentences_meet_the_bar_too() -> None:
    metrics = evaluate(cases=load_cases(HOLDOUT))
    assert metrics.false_alarm_sentences == 0, metrics.false_positives
    assert metrics.precision >= 0.85
    assert metrics.recall >= 0.6


def test_the_checker_beats_the_naive_baseline() -> None:
    ours, base = evaluate(), evaluate(baseline_checker)
    assert ours.precision > base.precision
    assert ours.recall > 2 * base.recall
    assert base.false_alarm_sentences > 0  # the baseline "fixes" names and rare words


def test_a_silent_checker_has_no_recall_and_a_noisy_one_no_precision() -> None:
    cases = [Case("He go home.", "He goes home.", "agreement"), Case("I am here.", "I am here.", CORRECT)]

    def noisy(text: str) -> list[CharEdit]:
        return [(0, text.index(" "), "They")]

    silent = evaluate(lambda _text: [], cases)
    loud = evaluate(noisy, cases)
    assert (silent.recall, silent.precision, silent.false_alarm_sentences) == (0.0, 1.0, 0)
    assert (loud.recall, loud.precision, loud.false_alarm_sentences) == (0.0, 0.0, 1)


def test_an_edit_matches_when_it_does_what_the_correction_does() -> None:
    cases = [
        Case("I see an dog.", "I saw a dog.", "mixed"),
        Case("Where you are going?", "Where are you going?", "questions"),
        Case("I am student.", "I am a student.", "articles"),
    ]

    def fixer(text: str) -> list[CharEdit]:
        table = {"an dog": "a dog", "Where you are": "Where are you", "student": "a student"}
        return [(text.index(k), text.index(k) + len(k), v) for k, v in table.items() if k in text]

    metrics = evaluate(fixer, cases)
    # "see" → "saw" is missed; the rest is matched, including the reordering as one edit.
    assert metrics.expected == 5
    assert (metrics.true_positives, metrics.predicted, metrics.recalled) == (3, 3, 4)


def test_expected_edits_are_one_per_changed_word() -> None:
    edits = expected_edits("I enjoy to watch movie.", "I enjoy watching movies.")
    assert [(e.start, e.end, e.tokens) for e in edits] == [
        (2, 3, ()),
        (3, 4, ("watching",)),
        (4, 5, ("movies",)),
    ]
