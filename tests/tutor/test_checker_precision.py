"""Correct English that a naive rule would flag: the checker must stay silent (precision first)."""

from __future__ import annotations

import pytest

from framecast.tutor.checker import check_english

CORRECT = [
    "The bus stop is near my house.",
    "My friend and his brother play soccer.",
    "My friend and I are hungry.",
    "Everyone I know likes it.",
    "I kind of think so.",
    "The knife is used to cut bread.",
    "We made it to the final.",
    "There's a lot of room in the car.",
    "How much is it?",
    "How long have you been here?",
    "When I was a kid I didn't like vegetables, but now I love them.",
    "I met my wife ten years ago and we have two kids.",
    "Last week I realized that I love cooking.",
    "The team are playing well.",
    "Plan A is better than plan B.",
    "He has an MBA from a US university.",
    "A NASA engineer gave a talk.",
    "I left for work the next day.",
    "The concert was exciting and I was excited.",
    "He is the taller of the two.",
    "Can you tell me where the station is?",
    "Where you go, I will follow.",
    "The older brother in the story is kind.",
    "Neither of them is ready.",
    "The news is good.",
]


@pytest.mark.parametrize("text", CORRECT)
def test_correct_english_is_left_alone(text: str) -> None:
    result = check_english(text)
    assert not result.has_errors, result.corrections


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("My mother work at a bank.", "My mother works at a bank."),
        ("My friends lives in Busan.", "My friends live in Busan."),
        ("Our luggages were lost.", "Our luggage was lost."),
        ("I have seen him yesterday.", "I saw him yesterday."),
        ("Can you explain me the rule?", "Can you explain the rule to me?"),
        ("What time it is?", "What time is it?"),
        ("He made me to clean the room.", "He made me clean the room."),
        ("I'm used to wake up early.", "I'm used to waking up early."),
        ("I was so boring during the class.", "I was so bored during the class."),
        ("The movie was very interested.", "The movie was very interesting."),
        ("He is the taller student in my class.", "He is the tallest student in my class."),
    ],
)
def test_the_new_rules_fix_their_mistake(text: str, fixed: str) -> None:
    assert check_english(text).corrected_text == fixed


def test_every_finding_is_explained_in_korean() -> None:
    text = "Yesterday I go to the park and I see an dog. My mother work at a bank. I'm so exciting."
    result = check_english(text, language="ko")
    assert len(result.corrections) == 5
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in c.explanation) for c in result.corrections)
