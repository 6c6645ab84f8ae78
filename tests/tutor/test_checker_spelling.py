from __future__ import annotations

import pytest

from framecast.tutor.checker import check_english
from framecast.tutor.checker.spelling import ranks, suggest


def test_the_shipped_word_list_is_large_and_in_frequency_order() -> None:
    listed = ranks()
    assert len(listed) > 100_000
    assert listed["the"] < listed["friend"] < listed["kimchi"]


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("I usualy walk.", "I usually walk."),
        ("The concert was amazzing.", "The concert was amazing."),
        ("I'm studing now.", "I'm studying now."),
        ("What is your adress?", "What is your address?"),
        ("Becuase it rained, we stayed.", "Because it rained, we stayed."),
        ("She is my freind.", "She is my friend."),
    ],
)
def test_a_misspelling_with_one_clear_correction_is_fixed(text: str, fixed: str) -> None:
    result = check_english(text)
    assert result.corrected_text == fixed
    assert [c.type for c in result.corrections] == ["vocabulary"]


@pytest.mark.parametrize(
    "text",
    [
        "I wrote a letter to my grandmother.",  # a listed word is never "fixed" (letter → better)
        "I visited Gyeongbokgung with Minji.",  # names
        "We ate tteokbokki and bibimbap.",  # Korean food, from the extra words
        "I love K-pop and webtoons.",  # compounds
        "It's the 3rd time I've been here.",  # numbers and contractions
        "I'm sooo hungry lol.",  # chat
        "My email is minji@naver.com.",
    ],
)
def test_names_numbers_and_listed_words_are_not_flagged(text: str) -> None:
    assert not check_english(text).has_errors


def test_no_correction_is_offered_without_a_clear_winner() -> None:
    # "hungy" is one letter from "hungry" and from "hung", which are about as frequent.
    assert suggest("hungy") is None
    assert not check_english("I'm really hungy.").has_errors


def test_spelling_is_explained_in_korean() -> None:
    (correction,) = check_english("I usualy walk.", language="ko").corrections
    assert "철자" in correction.explanation
