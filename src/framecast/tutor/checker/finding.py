"""A rule's finding: a span of the text, its replacement, its family, and the explanation in both
languages; and the helpers that build one from spaCy tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from framecast.tutor.corrections import CorrectionType, Severity
from framecast.tutor.korean import Particle, with_particle

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# The rule families, one module each (spelling and confusions are word-level, the rest read the parse).
Family = Literal[
    "agreement",
    "articles",
    "comparatives",
    "confusions",
    "countables",
    "embedded_questions",
    "konglish",
    "missing_subject",
    "participles",
    "prepositions",
    "questions",
    "since_for",
    "spelling",
    "tense",
    "verb_form",
    "verb_patterns",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """Characters ``start:end`` of the checked text are replaced by ``corrected``."""

    start: int
    end: int
    corrected: str
    family: Family
    type: CorrectionType
    severity: Severity
    explanation_en: str
    explanation_ko: str

    def overlaps(self, start: int, end: int) -> bool:
        """Whether this finding touches characters ``start:end`` (an empty range: the point ``start``)."""
        if start == end:
            return self.start <= start <= self.end
        return self.start < end and start < self.end


def quote(word: str) -> str:
    """A word as explanations quote it: ``'went'``."""
    return f"'{word}'"


def quoted(word: str, pair: Particle) -> str:
    """A quoted word with the Korean particle that follows it: ``quoted("went", "을/를") == "'went'를"``."""
    return with_particle(quote(word), pair)


def surface(token: Token) -> str:
    """``token`` as it reads inside a sentence: a sentence-initial capital is dropped unless the word is
    a name or "I" (the tokens a fix moves away from the start of the sentence)."""
    text = token.text
    if token.is_sent_start and text[:1].isupper() and text != "I" and token.tag_ not in ("NNP", "NNPS"):
        return text[:1].lower() + text[1:]
    return text


def replace(
    doc: Doc,
    first: int,
    last: int,
    corrected: str,
    family: Family,
    en: str,
    ko: str,
    *,
    type: CorrectionType = "grammar",
    severity: Severity = "medium",
) -> Finding:
    """A finding that replaces tokens ``first`` to ``last`` (inclusive) by ``corrected``.

    The replacement starts with a capital when the replaced text starts the sentence with one.
    """
    head, tail = doc[first], doc[last]
    if head.is_sent_start and head.text[:1].isupper() and corrected[:1].islower():
        corrected = corrected[:1].upper() + corrected[1:]
    return Finding(head.idx, tail.idx + len(tail.text), corrected, family, type, severity, en, ko)


def join(tokens: list[Token] | tuple[Token, ...]) -> str:
    """Tokens as they read in the text, with their own spacing (``don't`` stays one word)."""
    out = ""
    for i, token in enumerate(tokens):
        out += token.text
        if i < len(tokens) - 1:
            out += token.whitespace_
    return out
