"""Spelling against a shipped word list, with edit-distance suggestions; conservative by design.

Only lower-case alphabetic words of four letters or more are checked, so proper nouns, numbers and
contractions are never flagged, and a word is flagged only when a close listed word exists.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from framecast.tutor.checker.finding import Finding, span
from framecast.tutor.checker.lexicon import ADJECTIVES, COUNTABLE, VERBS
from framecast.tutor.checker.tokens import Sentence

_MISSPELLINGS = frozenset(
    [
        "recieve",
        "beleive",
        "tommorow",
        "tomorow",
        "definately",
        "wich",
        "untill",
        "realy",
        "beautifull",
        "wierd",
        "freind",
        "diffrent",
        "restaurent",
        "libary",
        "delicous",
        "intresting",
        "becuase",
        "becasue",
        "buisness",
        "tonite",
        "probaly",
        "actualy",
        "finaly",
    ]
)
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "est")


@cache
def words() -> tuple[str, ...]:
    text = resources.files("framecast.tutor.checker").joinpath("data/words.txt").read_text("utf-8")
    listed = [w.strip() for w in text.split() if w.strip()]
    extra = [*VERBS, *COUNTABLE, *COUNTABLE.values(), *ADJECTIVES]
    for verb in VERBS.values():
        extra += [verb.third, verb.past, verb.participle, verb.ing]
    for comp, sup in ADJECTIVES.values():
        extra += [comp, sup]
    return tuple(dict.fromkeys([*listed, *extra]))


@cache
def _known() -> frozenset[str]:
    return frozenset(words())


def is_known(word: str) -> bool:
    known = _known()
    if word in known:
        return True
    for suffix in _SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem != word and (
            stem in known
            or stem + "e" in known
            or (stem[-1:] == "i" and stem[:-1] + "y" in known)
            or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in known)
        ):
            return True
    return False


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), giving up above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def suggest(word: str) -> str | None:
    """The closest listed word, or None when nothing is close enough to be a confident fix."""
    limit = 1 if len(word) < 7 else 2
    best: tuple[int, str] | None = None
    for candidate in words():
        d = _distance(word, candidate, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, candidate)
    return best[1] if best else None


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        text = token.text
        if len(text) < 4 or not text.isalpha() or not text.islower() or is_known(text):
            continue
        # The shipped list is small, so edit distance alone would "fix" correct words it lacks; a
        # suggestion is offered only for words known to be common misspellings of a listed word.
        fix = suggest(text) if text in _MISSPELLINGS else None
        if fix is not None:
            found.append(
                span(
                    sentence,
                    i,
                    i,
                    fix,
                    f"Spelling: '{fix}'.",
                    f"철자: '{fix}'이(가) 맞습니다.",
                    type="vocabulary",
                    severity="low",
                )
            )
    return found
