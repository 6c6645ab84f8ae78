"""The one door to the offline checker: applying another source's corrections, and keeping them only
when the corrected sentence passes the checker."""

from __future__ import annotations

from framecast.tutor.checking import accepted_corrections, apply_corrections, offline_analysis, passes
from framecast.tutor.corrections import Correction

WRONG = "Yesterday I go to the park."
RIGHT = "Yesterday I went to the park."


def grammar(original: str, corrected: str) -> Correction:
    return Correction("grammar", original, corrected, "because", "medium")


def test_corrections_are_applied_in_text_order_ignoring_case() -> None:
    text = "I go to school and I go home."
    fixes = [grammar("go", "went"), grammar("GO", "went")]
    assert apply_corrections(text, fixes) == "I went to school and I went home."


def test_a_correction_of_text_that_is_not_there_cannot_be_applied() -> None:
    assert apply_corrections(WRONG, [grammar("goes", "went")]) is None
    assert apply_corrections(WRONG, [grammar("", "went")]) is None


def test_corrections_that_give_a_sentence_the_checker_accepts_are_kept() -> None:
    kept = accepted_corrections(WRONG, [grammar("go", "went")], RIGHT)
    assert kept == ((grammar("go", "went"),), RIGHT)


def test_corrections_that_leave_a_mistake_are_refused() -> None:
    assert not passes(WRONG)
    assert accepted_corrections(WRONG, [], None) is None
    assert accepted_corrections(WRONG, [grammar("park", "parks")], RIGHT) is None


def test_a_better_expression_the_checker_rejects_is_replaced_by_the_corrected_sentence() -> None:
    kept = accepted_corrections(WRONG, [grammar("go", "went")], WRONG)
    assert kept is not None
    assert kept[1] == RIGHT


def test_the_offline_analysis_is_the_checkers_with_the_corrected_sentence() -> None:
    analysis = offline_analysis(WRONG, "en")
    assert analysis.has_errors
    assert analysis.better_expression == RIGHT
    assert offline_analysis(RIGHT, "en").better_expression is None
