"""The checker's accuracy bar on the learner sentences of bench/data: the held-out half meets the
targets with no false alarm, and the bench's counting itself is right."""

from __future__ import annotations

from bench.checker_accuracy import (
    FRESH,
    HELDOUT,
    TARGETS,
    TUNING,
    Case,
    CharEdit,
    baseline_checker,
    evaluate,
    expected_edits,
    framecast_checker,
    is_tuning,
    load_cases,
    previous_checker,
)


def test_the_evaluation_sets_are_large_split_and_one_third_correct() -> None:
    tuning, held_out = load_cases(TUNING), load_cases(HELDOUT)
    both = tuning + held_out
    assert len(both) >= 400
    assert sum(c.correct for c in both) * 3 >= len(both)
    assert all(is_tuning(c.sentence) for c in tuning)
    assert not any(is_tuning(c.sentence) for c in held_out)
    assert not {c.sentence for c in tuning} & {c.sentence for c in held_out}
    assert all(c.expected == (c.sentence,) for c in both if c.correct)
    assert all(c.sentence not in c.expected for c in both if not c.correct)


def test_the_held_out_half_meets_the_targets_with_no_false_alarm() -> None:
    metrics = evaluate(cases=load_cases(HELDOUT))
    assert metrics.false_alarm_sentences == 0, metrics.false_positives
    assert metrics.precision >= TARGETS["precision"], metrics.false_positives
    assert metrics.recall >= TARGETS["recall"], metrics.misses
    assert metrics.exact_rate >= TARGETS["exact fix"], metrics.misses


def test_the_fresh_set_meets_the_targets_too() -> None:
    metrics = evaluate(cases=load_cases(FRESH))
    assert metrics.precision >= TARGETS["precision"], metrics.false_positives
    assert metrics.recall >= TARGETS["recall"], metrics.misses
    assert metrics.exact_rate >= TARGETS["exact fix"], metrics.misses


def test_the_checker_beats_the_previous_one_and_the_naive_baseline() -> None:
    cases = load_cases(HELDOUT)
    ours, previous, base = (
        evaluate(c, cases) for c in (framecast_checker, previous_checker, baseline_checker)
    )
    assert ours.recall > 1.5 * previous.recall
    assert ours.exact_rate > previous.exact_rate
    assert ours.precision > base.precision
    assert base.false_alarm_sentences > 0  # the baseline "fixes" names and rare words


def test_a_silent_checker_has_no_recall_and_a_noisy_one_no_precision() -> None:
    cases = [
        Case("He go home.", ("He goes home.",), "agreement", False),
        Case("I am here.", ("I am here.",), "agreement", True),
    ]

    def noisy(text: str) -> list[CharEdit]:
        return [(0, text.index(" "), "They")]

    silent = evaluate(lambda _text: [], cases)
    loud = evaluate(noisy, cases)
    assert (silent.recall, silent.precision, silent.false_alarm_sentences) == (0.0, 1.0, 0)
    # "He" → "They" changes the wrong sentence (not to its fix) and the correct one.
    assert (loud.recall, loud.precision, loud.exact_rate, loud.false_alarm_sentences) == (1.0, 0.5, 0.0, 1)
    assert loud.edit_precision == 0.0


def test_an_edit_matches_when_it_does_what_the_correction_does() -> None:
    cases = [
        Case("I see an dog.", ("I saw a dog.",), "mixed", False),
        Case("Where you are going?", ("Where are you going?",), "questions", False),
        Case("I am student.", ("I am a student.", "I am the student."), "articles", False),
    ]

    def fixer(text: str) -> list[CharEdit]:
        table = {"an dog": "a dog", "Where you are": "Where are you", "student": "a student"}
        return [(text.index(k), text.index(k) + len(k), v) for k, v in table.items() if k in text]

    metrics = evaluate(fixer, cases)
    # "see" → "saw" is missed, so the first sentence is flagged but not fixed exactly; every edit
    # made is one the corrections make, the reordering included.
    assert (metrics.recall, metrics.exact_rate) == (1.0, 2 / 3)
    assert (metrics.good_edits, metrics.predicted_edits) == (3, 3)


def test_expected_edits_are_one_per_changed_word() -> None:
    edits = expected_edits("I enjoy to watch movie.", "I enjoy watching movies.")
    assert [(e.start, e.end, e.tokens) for e in edits] == [
        (2, 3, ()),
        (3, 4, ("watching",)),
        (4, 5, ("movies",)),
    ]
