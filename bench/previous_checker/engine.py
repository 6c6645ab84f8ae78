"""``check_english``: run every rule family, keep non-overlapping findings, apply them."""

from __future__ import annotations

from collections.abc import Callable

from bench.previous_checker import (
    agreement,
    articles,
    auxiliaries,
    comparatives,
    confusions,
    nouns,
    participles,
    prepositions,
    questions,
    spelling,
    tense,
    verb_patterns,
)
from bench.previous_checker.finding import Finding
from bench.previous_checker.tokens import Sentence, split_sentences
from framecast.tutor.corrections import CheckResult, Correction

Rule = Callable[[Sentence], list[Finding]]

# Earlier families win when two findings overlap: the more specific diagnosis first
# (tense before agreement, uncountable nouns before a/an, spelling last).
RULES: tuple[Rule, ...] = (
    questions.find,
    tense.find,
    auxiliaries.find,
    verb_patterns.find,
    agreement.find,
    nouns.find,
    comparatives.find,
    prepositions.find,
    confusions.find,
    participles.find,
    articles.find,
    spelling.find,
)


def find_all(text: str) -> list[Finding]:
    """Every accepted finding in ``text``, in text order, none overlapping another."""
    accepted: list[Finding] = []
    for sentence in split_sentences(text):
        for rule in RULES:
            for finding in rule(sentence):
                if finding.corrected == text[finding.start : finding.end]:
                    continue  # "read" → "read": nothing to fix
                if all(finding.end <= f.start or finding.start >= f.end for f in accepted):
                    accepted.append(finding)
    accepted.sort(key=lambda f: f.start)
    return accepted


def check_english(text: str, *, language: str = "en") -> CheckResult:
    """Check ``text`` with the offline rules; explanations in Korean when ``language == "ko"``."""
    accepted = find_all(text)
    corrections = tuple(
        Correction(
            type=f.type,
            original=text[f.start : f.end],
            corrected=f.corrected,
            explanation=f.explanation_ko if language == "ko" else f.explanation_en,
            severity=f.severity,
        )
        for f in accepted
    )
    corrected = text
    for f in reversed(accepted):
        corrected = corrected[: f.start] + f.corrected + corrected[f.end :]
    return CheckResult(text=text, corrected_text=corrected, corrections=corrections)
