"""Subject-verb agreement: "he go" → "he goes", "My mother work" → "works", "My friends lives" → "live"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import (
    ADJECTIVES,
    AUXILIARIES,
    BY_PAST,
    BY_THIRD,
    COUNTABLE,
    PLURALS,
    SUBJECTS_3SG,
    UNCOUNTABLE,
    VERBS,
)
from bench.previous_checker.tokens import Sentence

_BE = {
    ("i", "is"): "am",
    ("i", "are"): "am",
    ("he", "are"): "is",
    ("she", "are"): "is",
    ("it", "are"): "is",
    ("he", "am"): "is",
    ("she", "am"): "is",
    ("you", "is"): "are",
    ("we", "is"): "are",
    ("they", "is"): "are",
    ("we", "was"): "were",
    ("they", "was"): "were",
    ("you", "was"): "were",
    ("he", "don't"): "doesn't",
    ("she", "don't"): "doesn't",
    ("it", "don't"): "doesn't",
    ("i", "doesn't"): "don't",
    ("you", "doesn't"): "don't",
    ("we", "doesn't"): "don't",
    ("they", "doesn't"): "don't",
}
# What a singular subject needs instead of a plural verb form, and the reverse.
_TO_SINGULAR = {"are": "is", "were": "was", "don't": "doesn't", "have": "has"}
_TO_PLURAL = {"is": "are", "was": "were", "doesn't": "don't", "has": "have"}
_INDEFINITE = frozenset(
    ["everybody", "everyone", "somebody", "someone", "nobody", "anybody", "anyone", "everything", "nothing"]
)
_DETERMINERS = frozenset(
    ["my", "your", "his", "her", "our", "their", "the", "this", "that", "these", "those"]
)
_NOUN_MODIFIERS = frozenset(["best", "little", "older", "younger", "new", "old", "big", "small", "favorite"])
_CLAUSE_OPENERS = frozenset({"and", "but", "because", "so", "when", "while", "after", "before", "if"})
# After the verb: another verb or "is" means the "verb" was the second half of a noun ("the bus stop is").
_NOUN_FOLLOWERS = frozenset(
    ["is", "was", "are", "were", "will", "would", "can", "could", "has", "had", "have", "should", "must"]
)
# British English lets a group take a plural verb: "My family live here", "The team are winning".
_COLLECTIVE = frozenset({"team", "family", "class", "group", "company", "staff", "crew", "band"})
_EN = "The verb must agree with the subject '{s}': use '{v}'."
_KO = "주어 '{s}'에 맞게 동사를 '{v}'(으)로 써야 합니다."


def _starts_clause(sentence: Sentence, i: int) -> bool:
    return sentence.is_boundary(i - 1) or sentence.word(i - 1) in _CLAUSE_OPENERS


def _pronoun_subject(sentence: Sentence, i: int) -> str | None:
    subject, word = sentence.word(i), sentence.word(i + 1)
    if sentence.word(i - 1) in AUXILIARIES - {"and", "or", "if", "that"}:
        return None
    if subject == "it" and not _starts_clause(sentence, i):
        return None  # "make it work": here "it" is an object
    if subject in {"i", "you", "we", "they"} and sentence.word(i - 1) in {"and", "or", "nor"}:
        return None  # "My friend and I are": a compound subject
    fix: str | None = _BE.get((subject, word))
    if fix is None and subject in SUBJECTS_3SG and word in VERBS:
        fix = VERBS[word].third
    if fix is None and subject in {"i", "you", "we", "they"} and word in BY_THIRD:
        fix = BY_THIRD[word].base
    if fix is None and subject in _INDEFINITE and _starts_clause(sentence, i):
        fix = VERBS[word].third if word in VERBS else _TO_SINGULAR.get(word)
    return fix


def _noun_subject(sentence: Sentence, i: int) -> tuple[int, str] | None:
    """ "My (little) brother play" at the start of a clause: the verb's index and its fix."""
    if sentence.word(i) not in _DETERMINERS or not _starts_clause(sentence, i):
        return None
    if sentence.word(i - 1) in {"and", "or"}:
        return None  # "My friend and his brother play": a compound subject
    n = i + 2 if sentence.word(i + 1) in _NOUN_MODIFIERS | ADJECTIVES.keys() else i + 1
    noun, verb, after = sentence.word(n), sentence.word(n + 1), sentence.word(n + 2)
    if after in _NOUN_FOLLOWERS or after in BY_THIRD or after in BY_PAST:
        return None
    singular = (
        (noun in COUNTABLE or noun in UNCOUNTABLE)
        and noun not in _COLLECTIVE
        and sentence.word(i) not in {"these", "those"}
    )
    if singular and verb in VERBS and noun not in UNCOUNTABLE:
        return n + 1, VERBS[verb].third
    if singular and verb in _TO_SINGULAR and not (noun in UNCOUNTABLE and verb in {"don't", "have"}):
        return n + 1, _TO_SINGULAR[verb]
    if noun in PLURALS and noun not in COUNTABLE:
        if verb in BY_THIRD and verb != BY_THIRD[verb].base:
            return n + 1, BY_THIRD[verb].base
        if verb in _TO_PLURAL:
            return n + 1, _TO_PLURAL[verb]
    return None


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        fix = _pronoun_subject(sentence, i)
        at, subject = i + 1, token.text
        noun = _noun_subject(sentence, i) if fix is None else None
        if noun is not None:
            at, fix = noun
            subject = sentence.tokens[at - 1].text
        if fix is not None:
            found.append(
                span(sentence, at, at, fix, _EN.format(s=subject, v=fix), _KO.format(s=subject, v=fix))
            )
    return found
