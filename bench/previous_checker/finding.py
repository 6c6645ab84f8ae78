"""A rule's finding: a span of the text, its replacement, and the explanation in both languages."""

from __future__ import annotations

from dataclasses import dataclass

from bench.previous_checker.tokens import Sentence
from framecast.tutor.corrections import CorrectionType, Severity


@dataclass(frozen=True, slots=True)
class Finding:
    start: int
    end: int
    corrected: str
    type: CorrectionType
    severity: Severity
    explanation_en: str
    explanation_ko: str


def span(
    sentence: Sentence,
    first: int,
    last: int,
    corrected: str,
    en: str,
    ko: str,
    *,
    type: CorrectionType = "grammar",
    severity: Severity = "medium",
) -> Finding:
    """A finding covering tokens ``first`` to ``last`` inclusive; the replacement keeps a leading capital."""
    original = sentence.tokens[first].text
    if original[:1].isupper() and corrected[:1].islower():
        corrected = corrected[:1].upper() + corrected[1:]
    return Finding(sentence.tokens[first].start, sentence.tokens[last].end, corrected, type, severity, en, ko)
