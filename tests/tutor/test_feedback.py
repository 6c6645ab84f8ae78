"""The feedback text of a correction message, in English and Korean."""

from __future__ import annotations

from framecast.tutor.corrections import Correction
from framecast.tutor.feedback import encouragement, format_feedback, type_label

GOES = Correction("grammar", "goes", "went", "Use the past tense for yesterday.", "medium")
WORD = Correction("vocabulary", "make a photo", "take a photo", "We 'take' photos.", "low")


def test_no_correction_says_no_mistakes_were_found_then_the_overall_feedback() -> None:
    assert format_feedback([], None, "Keep it up!", "en") == "I found no mistakes. Keep it up!"
    assert format_feedback([], None, None, "en") == "I found no mistakes."
    assert format_feedback([], None, "  ", "ko") == "틀린 부분을 찾지 못했어요."


def test_only_a_sentence_the_checker_vouches_for_is_called_correct() -> None:
    confirmed = format_feedback([], None, "Keep it up!", "en", confirmed_correct=True)
    assert confirmed == "Great! That sentence is correct. Keep it up!"
    assert format_feedback([], None, None, "ko", confirmed_correct=True) == "잘했어요! 맞는 문장이에요."
    # With corrections there is nothing to vouch for.
    assert format_feedback([GOES], None, None, "en", confirmed_correct=True).startswith("Here are")


def test_corrections_come_one_per_line_with_the_better_expression_and_the_overall_feedback() -> None:
    text = format_feedback([GOES, WORD], "I went there and took a photo.", "Nice try!", "en")
    assert text.splitlines() == [
        "Here are some corrections:",
        "Grammar: goes → went (Use the past tense for yesterday.)",
        "Vocabulary: make a photo → take a photo (We 'take' photos.)",
        "A more natural way to say this: 'I went there and took a photo.'",
        "Nice try!",
    ]


def test_korean_feedback_uses_korean_labels_and_header() -> None:
    said = Correction("pronunciation", "think", "think", "'th' 발음에 주의하세요.", "high")
    text = format_feedback([GOES, WORD, said], "I went there.", "잘했어요!", "ko")
    assert text.splitlines() == [
        "이렇게 고쳐 보세요:",
        "문법: goes → went (Use the past tense for yesterday.)",
        "어휘: make a photo → take a photo (We 'take' photos.)",
        "발음: think → think ('th' 발음에 주의하세요.)",
        "더 자연스러운 표현: 'I went there.'",
        "잘했어요!",
    ]


def test_a_correction_without_explanation_has_no_empty_parentheses() -> None:
    bare = Correction("grammar", "a apple", "an apple", "", "low")
    assert (
        format_feedback([bare], None, None, "en") == "Here are some corrections:\nGrammar: a apple → an apple"
    )


def test_a_correct_sentence_may_still_get_a_more_natural_expression() -> None:
    assert format_feedback([], "See you soon!", None, "en") == (
        "I found no mistakes. A more natural way to say this: 'See you soon!'"
    )


def test_labels_in_both_languages() -> None:
    assert [type_label(t, "en") for t in ("grammar", "vocabulary", "pronunciation")] == [
        "Grammar",
        "Vocabulary",
        "Pronunciation",
    ]
    assert [type_label(t, "ko") for t in ("grammar", "vocabulary", "pronunciation")] == [
        "문법",
        "어휘",
        "발음",
    ]


def test_encouragement_depends_on_the_number_of_errors_and_is_deterministic() -> None:
    for language in ("en", "ko"):
        none = {encouragement(0, language, seed=s) for s in range(6)}
        one = {encouragement(1, language, seed=s) for s in range(6)}
        many = {encouragement(5, language, seed=s) for s in range(6)}
        assert len(none) > 1  # it varies with the seed...
        assert len(none | one | many) == len(none) + len(one) + len(many)  # no line in two groups
        assert encouragement(2, language, seed=4) == encouragement(2, language, seed=4)  # but not at random
    assert encouragement(0, "en") == "Excellent work!"
    assert encouragement(3, "ko") == encouragement(7, "ko")
