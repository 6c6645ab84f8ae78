"""Spelling against a shipped English word list (117k words, by frequency); conservative by design.

A word is flagged only when it is missing from the list, and fixed only when one correction is clearly
best: a well-known misspelling from a table, or the single common word one edit away (a letter left
out, added, changed, or two letters swapped) that is at least six times as likely as any other such
word. Proper nouns (capitalised words), numbers, contractions, short words and parts of compounds such
as "K-pop" are never checked.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import ADJECTIVES, COUNTABLE, VERBS
from bench.previous_checker.tokens import Sentence

# Frequent misspellings whose fix edit distance cannot find with confidence: two edits away, several
# words one edit away, or a "word" that the dictionary lists as a rare name ("freind").
_MISSPELLINGS: dict[str, str] = {
    "accomodate": "accommodate",
    "accomodation": "accommodation",
    "acheive": "achieve",
    "actualy": "actually",
    "alot": "a lot",
    "arguement": "argument",
    "basicly": "basically",
    "beacause": "because",
    "becasue": "because",
    "becuase": "because",
    "begining": "beginning",
    "beleive": "believe",
    "belive": "believe",
    "buisness": "business",
    "calender": "calendar",
    "collegue": "colleague",
    "comming": "coming",
    "definately": "definitely",
    "diffrent": "different",
    "dissapoint": "disappoint",
    "dissapointed": "disappointed",
    "embarass": "embarrass",
    "embarassed": "embarrassed",
    "embarassing": "embarrassing",
    "enviroment": "environment",
    "excercise": "exercise",
    "finaly": "finally",
    "freind": "friend",
    "freinds": "friends",
    "goverment": "government",
    "grammer": "grammar",
    "happend": "happened",
    "immediatly": "immediately",
    "intresting": "interesting",
    "knowlege": "knowledge",
    "libary": "library",
    "neccessary": "necessary",
    "necesary": "necessary",
    "occured": "occurred",
    "probaly": "probably",
    "realy": "really",
    "recieve": "receive",
    "recieved": "received",
    "recomend": "recommend",
    "remeber": "remember",
    "restaurent": "restaurant",
    "resturant": "restaurant",
    "seperate": "separate",
    "suprise": "surprise",
    "suprised": "surprised",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "tomorow": "tomorrow",
    "tonite": "tonight",
    "truely": "truly",
    "untill": "until",
    "usualy": "usually",
    "wich": "which",
    "wierd": "weird",
    "writting": "writing",
}
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_COMMON = 30_000  # only a word among the most frequent is offered as a correction
_MARGIN = 0.8  # log10: the best correction must be six times as likely as the runner-up
_SLIP_BONUS = math.log10(5)
_TOUCHING = frozenset("-@/#_&+")


@cache
def ranks() -> dict[str, int]:
    """Every known word with its frequency rank (0 is the most frequent; extra words rank last)."""
    folder = resources.files("bench.previous_checker").joinpath("data")
    ranked: dict[str, int] = {}
    for name in ("english_words.txt", "extra_words.txt"):
        for line in folder.joinpath(name).read_text("utf-8").splitlines():
            word = line.strip()
            if word and not word.startswith("#"):
                ranked.setdefault(word, len(ranked))
    for word in _lexicon_forms():
        ranked.setdefault(word, len(ranked))
    return ranked


def _lexicon_forms() -> list[str]:
    forms = [*VERBS, *COUNTABLE, *COUNTABLE.values(), *ADJECTIVES]
    for verb in VERBS.values():
        forms += [verb.third, verb.past, verb.participle, verb.ing]
    for comp, sup in ADJECTIVES.values():
        forms += [comp, sup]
    return forms


def lexicon() -> frozenset[str]:
    return _lexicon()


@cache
def _lexicon() -> frozenset[str]:
    return frozenset(ranks())


def is_known(word: str) -> bool:
    return word in ranks()


def distance(a: str, b: str, limit: int) -> int:
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


def one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | swaps | changes | inserts) - {word}


def _doubling(word: str, candidate: str) -> bool:
    """True when the two differ by one doubled letter: "adress"/"address", "comming"/"coming"."""
    short, long = sorted((word, candidate), key=len)
    if len(long) != len(short) + 1:
        return False
    k = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return long[:k] + long[k + 1 :] == short and (
        (k > 0 and long[k - 1] == long[k]) or (k + 1 < len(long) and long[k + 1] == long[k])
    )


def _swapped(word: str, candidate: str) -> bool:
    """True when two neighbouring letters are swapped: "tierd"/"tired", "becuase"/"because"."""
    if len(word) != len(candidate) or sorted(word) != sorted(candidate):
        return False
    diff = [k for k in range(len(word)) if word[k] != candidate[k]]
    return len(diff) == 2 and diff[1] == diff[0] + 1


def _score(word: str, candidate: str, rank: int) -> float:
    # Word frequencies fall roughly as 1/rank (Zipf), so -log10(rank) stands for log10(frequency).
    # A single/doubled letter or two swapped letters are the most frequent slips: 5x likelier.
    slip = _doubling(word, candidate) or _swapped(word, candidate)
    return -math.log10(rank + 1) + (_SLIP_BONUS if slip else 0.0)


def suggest(word: str) -> str | None:
    """The one clearly best correction of an unknown lower-case ``word``, or None."""
    if word in _MISSPELLINGS:
        return _MISSPELLINGS[word]
    ranked = ranks()
    scored = sorted(((_score(word, c, ranked[c]), c) for c in one_edit(word) if c in ranked), reverse=True)
    if not scored or ranked[scored[0][1]] >= _COMMON:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < _MARGIN:
        return None
    return scored[0][1]


def _checkable(sentence: Sentence, i: int) -> bool:
    token = sentence.tokens[i]
    text = token.text
    if not text.isalpha() or not text.isascii():
        return False
    for j in (i - 1, i + 1):
        if 0 <= j < len(sentence.tokens):
            other = sentence.tokens[j]
            touching = other.end == token.start or other.start == token.end
            if touching and (other.text in _TOUCHING or other.text[0].isdigit()):
                return False  # part of a compound, an address or a number such as "3rd"
    return True


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        text = token.text
        if len(text) < 4 or not _checkable(sentence, i):
            continue
        lower = text.lower()
        if text.islower():
            fix = suggest(lower) if lower in _MISSPELLINGS or not is_known(lower) else None
        elif i == 0 and text[1:].islower():
            # A capital may start a sentence or a name; only well-known misspellings are fixed there.
            fix = _MISSPELLINGS.get(lower)
        else:
            fix = None
        if fix is not None:
            found.append(
                span(
                    sentence,
                    i,
                    i,
                    fix,
                    f"Spelling: '{text}' is written '{fix}'.",
                    f"철자 오류입니다. '{text}'가 아니라 '{fix}'(으)로 씁니다.",
                    type="vocabulary",
                    severity="low",
                )
            )
    return found
