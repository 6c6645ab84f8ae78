"""Feelings in -ed and -ing: "I was so boring" → "bored", "The movie was interested" → "interesting".

A person feels bored; a thing is boring. Only clear cases are fixed: "I" as the subject with a word
after it that shows a feeling ("about", "during", "in"...), and a thing such as a movie or a class
described by an -ed word.
"""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.tokens import Sentence

_FEELINGS = {
    "bored": "boring",
    "excited": "exciting",
    "interested": "interesting",
    "confused": "confusing",
    "surprised": "surprising",
    "disappointed": "disappointing",
    "embarrassed": "embarrassing",
    "tired": "tiring",
    "shocked": "shocking",
    "annoyed": "annoying",
}
_BY_ING = {ing: ed for ed, ing in _FEELINGS.items() if ed != "tired"}  # "I am tiring" is rare and odd
_FIRST_PERSON = frozenset({"i", "we"})
_FIRST_PERSON_BE = frozenset({"i'm", "we're"})
_BE_OR_FEEL = frozenset({"am", "was", "are", "were", "feel", "felt", "get", "got"})
_INTENSIFIERS = frozenset(
    {"so", "very", "really", "too", "quite", "a", "bit", "little", "super", "kind", "of"}
)
_FEELING_AFTER = frozenset({"about", "during", "with", "at", "in", "by", "of", "because", "today", "now"})
_THINGS = frozenset(
    [
        "movie",
        "film",
        "book",
        "class",
        "lesson",
        "game",
        "story",
        "show",
        "trip",
        "party",
        "concert",
        "drama",
        "song",
        "news",
        "lecture",
        "video",
        "match",
        "festival",
        "museum",
        "tour",
        "program",
        "weekend",
    ]
)
_THING_DETERMINERS = frozenset({"the", "this", "that", "my", "our", "your", "his", "her", "their"})


def _skip_intensifiers(sentence: Sentence, i: int) -> int:
    while sentence.word(i) in _INTENSIFIERS:
        i += 1
    return i


def _person_feels(sentence: Sentence, i: int) -> int | None:
    """The index of "boring" in "I was so boring during class", or None."""
    word = sentence.word(i)
    if word in _FIRST_PERSON_BE:
        at = i + 1
    elif word in _FIRST_PERSON and sentence.word(i + 1) in _BE_OR_FEEL:
        at = i + 2
    else:
        return None
    at = _skip_intensifiers(sentence, at)
    if sentence.word(at) in _BY_ING and (
        sentence.is_boundary(at + 1) or sentence.word(at + 1) in _FEELING_AFTER
    ):
        return at
    return None


def _thing_feels(sentence: Sentence, i: int) -> int | None:
    """The index of "interested" in "The movie was very interested", or None."""
    if sentence.word(i) not in _THING_DETERMINERS or sentence.word(i + 1) not in _THINGS:
        return None
    if sentence.word(i + 2) not in {"is", "was"}:
        return None
    at = _skip_intensifiers(sentence, i + 3)
    return at if sentence.word(at) in _FEELINGS and sentence.is_boundary(at + 1) else None


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i in range(len(sentence.tokens)):
        at = _person_feels(sentence, i)
        if at is not None:
            word = sentence.word(at)
            fix = _BY_ING[word]
            found.append(
                span(
                    sentence,
                    at,
                    at,
                    fix,
                    f"A person who feels it is '{fix}'; '{word}' describes what causes the feeling.",
                    f"사람이 그렇게 느낄 때는 '{fix}'을(를) 씁니다. '{word}'는 그런 느낌을 주는 대상을 "
                    "말할 때 씁니다.",
                    type="vocabulary",
                )
            )
            continue
        at = _thing_feels(sentence, i)
        if at is not None:
            word = sentence.word(at)
            fix = _FEELINGS[word]
            found.append(
                span(
                    sentence,
                    at,
                    at,
                    fix,
                    f"A thing that causes the feeling is '{fix}'; '{word}' is how a person feels.",
                    f"그런 느낌을 주는 대상에는 '{fix}'을(를) 씁니다. '{word}'는 사람이 느끼는 감정입니다.",
                    type="vocabulary",
                )
            )
    return found
