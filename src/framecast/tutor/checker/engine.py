"""``check_english``: run every rule family on the parse, keep non-overlapping findings, and keep a
fix only when the sentence with it applied passes the checker itself.

Validation is what keeps a wrong fix from being shown or spoken: a candidate is applied alone and the
text is checked again; a finding at the replaced span (the fix made something the checker objects
to: "have went" → "had went") or a new finding of the same family drops it. Then the surviving fixes
are applied together and checked once more, dropping any fix a new finding touches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from framecast.tutor.checker import (
    agreement,
    articles,
    auxiliaries,
    comparatives,
    confusions,
    countables,
    embedded,
    konglish,
    participles,
    perfect,
    prepositions,
    questions,
    spelling,
    subjects,
    tense,
    verb_patterns,
)
from framecast.tutor.checker.finding import Finding
from framecast.tutor.checker.parser import parse
from framecast.tutor.checker.verdict import is_confirmed
from framecast.tutor.corrections import CheckResult, Correction

if TYPE_CHECKING:
    from spacy.tokens import Doc


def replace_span(finding: Finding, start: int, end: int) -> Finding:
    return replace(finding, start=start, end=end)


Rule = Callable[["Doc"], list[Finding]]

# Earlier families win when two findings overlap: the more specific diagnosis first (a Konglish word
# before its article, word order before agreement, spelling last).
RULES: tuple[Rule, ...] = (
    konglish.find,
    embedded.find,
    questions.find,
    perfect.find,
    tense.find,
    auxiliaries.find,
    verb_patterns.find,
    subjects.find,
    agreement.find,
    countables.find,
    comparatives.find,
    prepositions.find,
    participles.find,
    confusions.find,
    articles.find,
    spelling.find,
)
_ROUNDS = 2  # passes of the combined check: each drops the fixes a new finding touches


@dataclass(frozen=True, slots=True)
class CheckedText(CheckResult):
    """A ``CheckResult`` that also says whether the checker vouches for the sentence.

    ``confirmed_correct`` is True only with no correction, for a short sentence fully parsed with
    every word known: the feedback may then call the sentence correct instead of "no mistakes found".
    """

    confirmed_correct: bool = False


def candidates(text: str, rules: Sequence[Rule] = RULES) -> list[Finding]:
    """Every rule's findings in ``text`` before validation, in text order, none overlapping another."""
    doc = parse(text)
    accepted: list[Finding] = []
    for rule in rules:
        for finding in rule(doc):
            if finding.corrected == text[finding.start : finding.end]:
                continue  # "read" → "read": nothing to fix
            if not any(f.overlaps(finding.start, finding.end) for f in accepted):
                accepted.append(finding)
    accepted.sort(key=lambda f: f.start)
    return accepted


def _apply(text: str, fixes: Sequence[Finding]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with ``fixes`` applied, and where each replacement lies in the new text."""
    out, spans, at = [], [], 0
    shift = 0
    for f in sorted(fixes, key=lambda f: f.start):
        out.append(text[at : f.start])
        spans.append((f.start + shift, f.start + shift + len(f.corrected)))
        out.append(f.corrected)
        shift += len(f.corrected) - (f.end - f.start)
        at = f.end
    out.append(text[at:])
    return "".join(out), spans


def _holds(text: str, fix: Finding, others: Sequence[Finding], rules: Sequence[Rule]) -> bool:
    """Whether ``text`` with ``fix`` alone applied has no finding at the fix and no new one of its family."""
    fixed, ((start, end),) = _apply(text, [fix])
    delta = len(fix.corrected) - (fix.end - fix.start)
    before = {
        (g.start + (delta if g.start >= fix.end else 0), g.corrected)
        for g in others
        if g is not fix and not g.overlaps(fix.start, fix.end)
    }
    for g in candidates(fixed, rules):
        if g.overlaps(start, end):
            return False
        if g.family == fix.family and (g.start, g.corrected) not in before:
            return False
    return True


def find_all(text: str, rules: Sequence[Rule] = RULES) -> list[Finding]:
    """The validated findings in ``text``, in text order (``rules``: the families to run, in priority)."""
    found = candidates(text, rules)
    kept = [f for f in found if _holds(text, f, found, rules)]
    for _ in range(_ROUNDS):
        if len(kept) < 2:
            break
        fixed, spans = _apply(text, kept)
        after = candidates(fixed, rules)
        touched = {i for i, (s, e) in enumerate(spans) if any(g.overlaps(s, e) for g in after)}
        if not touched:
            break
        kept = [f for i, f in enumerate(kept) if i not in touched]
    return sorted(kept + _revealed(text, kept, rules), key=lambda f: f.start)


def _revealed(text: str, kept: Sequence[Finding], rules: Sequence[Rule]) -> list[Finding]:
    """Mistakes that show only once the others are fixed ("Our luggages were" → "Our luggage" reveals
    "were" → "was"), found and validated in the corrected text, placed back in the learner's."""
    if not kept:
        return []
    fixed, spans = _apply(text, kept)
    after = candidates(fixed, rules)
    out: list[Finding] = []
    for g in after:
        if any(g.overlaps(s, e) for s, e in spans) or not _holds(fixed, g, after, rules):
            continue
        shift = sum(
            len(f.corrected) - (f.end - f.start) for f, (s, _) in zip(kept, spans, strict=True) if s < g.start
        )
        start, end = g.start - shift, g.end - shift
        if text[start:end] != fixed[g.start : g.end] or any(f.overlaps(start, end) for f in kept):
            continue
        out.append(replace_span(g, start, end))
    return out


def check_english(text: str, *, language: str = "en") -> CheckedText:
    """Check ``text``; explanations in Korean when ``language == "ko"``.

    Raises ``ConfigurationError`` when the spaCy model is not installed.
    """
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
    corrected, _ = _apply(text, accepted)
    confirmed = not accepted and not candidates(text) and is_confirmed(parse(text))
    return CheckedText(
        text=text, corrected_text=corrected, corrections=corrections, confirmed_correct=confirmed
    )


def warm_up() -> None:
    """Load spaCy, lemminflect's tables and the word list, so that no learner waits for them.

    The Tutor's warm-up (``TutorRuntime.warm_up``) runs ``check_english`` once, which does the same.
    """
    check_english("Yesterday she go to the park and see an dog.")
