from __future__ import annotations

import pytest

from framecast.tutor.checker import check_english


def test_the_required_sentence_gets_exactly_three_corrections() -> None:
    result = check_english("Yesterday I go to the park and I see an dog.")
    assert [(c.original, c.corrected) for c in result.corrections] == [
        ("go", "went"),
        ("see", "saw"),
        ("an dog", "a dog"),
    ]
    assert result.corrected_text == "Yesterday I went to the park and I saw a dog."


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("He go to school.", "He goes to school."),
        ("She don't like it.", "She doesn't like it."),
        ("I enjoy to swim.", "I enjoy swimming."),
        ("I want going home.", "I want to go home."),
        ("Where you are going?", "Where are you going?"),
        ("She is more better than me.", "She is better than me."),
        ("I have two dog.", "I have two dogs."),
        ("I need some informations.", "I need some information."),
        ("He is married with her.", "He is married to her."),
        ("Their is a cat.", "There is a cat."),
        ("I am agree with you.", "I agree with you."),
        ("Did you went there?", "Did you go there?"),
        ("I recieve a letter.", "I receive a letter."),
    ],
)
def test_each_rule_family_fixes_its_error(text: str, fixed: str) -> None:
    assert check_english(text).corrected_text == fixed


@pytest.mark.parametrize(
    "text",
    [
        "An hour ago I ate an apple at a university.",
        "I go there every day, but yesterday I stayed home.",
        "Let it go.",
        "Where are you going?",
        "She is better than me.",
    ],
)
def test_correct_english_is_not_flagged(text: str) -> None:
    assert not check_english(text).has_errors


def test_explanations_are_in_korean_when_asked() -> None:
    result = check_english("He go to school.", language="ko")
    assert any("\uac00" <= ch <= "\ud7a3" for ch in result.corrections[0].explanation)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I have been there yesterday.", "I was there yesterday."),
        ("We have been busy yesterday.", "We were busy yesterday."),
        ("They have been to Busan last year.", "They went to Busan last year."),
        ("I have been to Paris.", "I have been to Paris."),
        ("She has been sick since Monday.", "She has been sick since Monday."),
    ],
)
def test_have_been_with_a_finished_time(sentence: str, expected: str) -> None:
    assert check_english(sentence).corrected_text == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I have two childs.", "I have two children."),
        ("Mens and women are welcome.", "Men and women are welcome."),
        ("My feets hurt after the hike.", "My feet hurt after the hike."),
        ("We met the Childs family.", "We met the Childs family."),
        ("The children are playing.", "The children are playing."),
    ],
)
def test_irregular_plurals(sentence: str, expected: str) -> None:
    assert check_english(sentence).corrected_text == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # "a" before a plural noun goes; after "be" with one subject, the noun becomes singular.
        ("She bought a new shoes.", "She bought new shoes."),
        ("I am interested in a English movies.", "I am interested in English movies."),
        ("I like a movies.", "I like movies."),
        ("He is a good friends of mine.", "He is a good friend of mine."),
        ("My sister is a teachers.", "My sister is a teacher."),
        ("They are a good friends.", "They are good friends."),
    ],
)
def test_a_before_a_plural_noun(sentence: str, expected: str) -> None:
    assert check_english(sentence).corrected_text == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "I have a few friends.",
        "I watched a lot of movies.",
        "It is a series of books.",
        "A hundred people came.",
        "I need a pair of shoes.",
        "It takes a couple of days.",
        "She is a United Nations official.",
        "He works at a bus stop.",
    ],
)
def test_a_with_a_quantity_or_a_noun_in_s_is_not_a_plural_mistake(sentence: str) -> None:
    assert check_english(sentence).corrections == ()
