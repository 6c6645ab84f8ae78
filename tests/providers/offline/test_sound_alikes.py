"""Sound-alikes of a word: the swaps Korean learners make, and dictionary words one phone away."""

from __future__ import annotations

from pathlib import Path

import pocketsphinx  # type: ignore[import-untyped]
import pytest

from framecast.providers.offline.sound_alikes import (
    Lexicon,
    korean_swaps,
    one_phone_away,
    respell,
    sound_alikes,
    unsettled,
    variant_name,
)

# A small dictionary: enough words to see every rule at work.
ENTRIES = [
    ("late", ("L", "EY", "T")),
    ("rate", ("R", "EY", "T")),
    ("lake", ("L", "EY", "K")),
    ("lay", ("L", "EY")),
    ("let", ("L", "EH", "T")),
    ("think", ("TH", "IH", "NG", "K")),
    ("sink", ("S", "IH", "NG", "K")),
    ("thing", ("TH", "IH", "NG")),
    ("coffee", ("K", "AA", "F", "IY")),
    ("copy", ("K", "AA", "P", "IY")),
    ("sea", ("S", "IY")),
    ("see", ("S", "IY")),
    ("she", ("SH", "IY")),
    ("today", ("T", "AH", "D", "EY")),
    ("today", ("T", "UW", "D", "EY")),
    ("toupee", ("T", "UW", "P", "EY")),
]
COMMON = {
    "rate": 5.0,
    "lake": 4.0,
    "lay": 3.0,
    "let": 6.0,
    "sink": 2.0,
    "thing": 7.0,
    "copy": 3.0,
    "she": 9.0,
}


def frequency(word: str) -> float:
    return COMMON.get(word, 0.0)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon(ENTRIES)


def test_a_korean_swap_that_makes_a_word_is_that_word(lexicon: Lexicon) -> None:
    alikes = sound_alikes("late", lexicon, frequency=frequency, neighbours=5)

    rate = alikes[0]
    assert (rate.name, rate.spelling, rate.change, rate.is_variant) == ("rate", "rate", ("L", "R"), False)


def test_a_korean_swap_that_makes_no_word_is_a_respelled_variant(lexicon: Lexicon) -> None:
    alikes = {
        alike.spelling: alike for alike in sound_alikes("think", lexicon, frequency=frequency, neighbours=5)
    }

    assert alikes["sink"].change == ("TH", "S")
    tink = alikes["tink"]
    assert tink.is_variant
    assert tink.name == variant_name("think", ("T", "IH", "NG", "K")) == "think~t.ih.ng.k"
    assert tink.phones == ("T", "IH", "NG", "K")
    assert alikes["theenk"].change == ("IH", "IY")  # the vowel of "sheep" for the one of "ship"


def test_dictionary_neighbours_come_after_the_swaps_most_frequent_first(lexicon: Lexicon) -> None:
    alikes = sound_alikes("late", lexicon, frequency=frequency, neighbours=2)

    assert [alike.name for alike in alikes if alike.change is None] == ["let", "lake"]


def test_homophones_never_compete_with_the_word(lexicon: Lexicon) -> None:
    names = [alike.name for alike in sound_alikes("sea", lexicon, frequency=frequency, neighbours=10)]

    assert "see" not in names
    assert "she" in names  # s before "ee" said as sh
    assert sound_alikes("unknown", lexicon, frequency=frequency, neighbours=10) == ()


def test_a_place_where_the_words_own_pronunciations_disagree_is_never_changed(lexicon: Lexicon) -> None:
    assert unsettled(("T", "AH", "D", "EY"), lexicon.pronunciations("today")) == {1}
    alikes = sound_alikes("today", lexicon, frequency=frequency, neighbours=10)

    assert ("T", "UH", "D", "EY") not in [alike.phones for alike in alikes]  # "tuday": UW said as UH
    assert "toupee" in [alike.name for alike in alikes]  # a settled place (D) may change


def test_swaps_and_neighbours_are_one_phone_away() -> None:
    assert (2, "F", "P") in korean_swaps(("K", "AA", "F", "IY"))
    assert (0, "S", "SH") in korean_swaps(("S", "IY"))
    near = one_phone_away(("L", "EY", "T"))
    assert ("R", "EY", "T") in near
    assert ("L", "EY") in near
    assert ("L", "T", "T") not in near  # a consonant never stands for a vowel


@pytest.mark.parametrize(
    ("word", "phones", "index", "said", "spelled"),
    [
        ("think", ("TH", "IH", "NG", "K"), 0, "T", "tink"),
        ("coffee", ("K", "AA", "F", "IY"), 2, "P", "copee"),
        ("very", ("V", "EH", "R", "IY"), 0, "B", "bery"),
        ("really", ("R", "IY", "L", "IY"), 2, "R", "reary"),
        ("ship", ("SH", "IH", "P"), 1, "IY", "sheep"),
        ("rhythm", ("R", "IH", "DH", "AH", "M"), 2, "D", "rhydm"),
    ],
)
def test_a_variant_is_spelled_by_swapping_the_letters_of_its_sound(
    word: str, phones: tuple[str, ...], index: int, said: str, spelled: str
) -> None:
    assert respell(word, phones, index, said) == spelled


def test_the_shipped_dictionary_loads_with_its_variants() -> None:
    lexicon = Lexicon.read(Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict")

    assert ("F", "AO", "R") in lexicon.pronunciations("for")
    assert len(lexicon.pronunciations("for")) > 1  # for(2), for(3)
    assert "rate" in lexicon.words(("R", "EY", "T"))
