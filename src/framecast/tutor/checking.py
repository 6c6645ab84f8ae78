"""The one door to the offline checker (``tutor/checker``): the offline analysis of a sentence, and the
validation that every other source of corrections (a chat model) and every sentence the scripted
tutor builds from the learner's words must pass.

Only the checker's public API (``check_english``) is used, and only here: the checker is improved on
its own, and whatever it learns is used by the scripted tutor, the LLM tutor and their guards at once.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from framecast.tutor.brain import Analysis, Language
from framecast.tutor.checker import CheckedText, check_english
from framecast.tutor.corrections import Correction
from framecast.tutor.feedback import encouragement, format_feedback


def check(text: str, language: Language = "en") -> CheckedText:
    """The checker's reading of ``text``, explanations in ``language``."""
    return check_english(text, language=language)


def passes(text: str) -> bool:
    """Whether the checker finds nothing to correct in ``text``."""
    return not check(text).has_errors


def offline_analysis(text: str, language: Language) -> Analysis:
    """The checker's corrections of ``text`` as an analysis, with its feedback in ``language``."""
    result = check(text, language)
    better = result.corrected_text if result.has_errors else None
    overall = encouragement(len(result.corrections), language, seed=zlib.crc32(text.encode()))
    return Analysis(
        has_errors=result.has_errors,
        corrections=result.corrections,
        better_expression=better,
        feedback=format_feedback(
            result.corrections, better, overall, language, confirmed_correct=result.confirmed_correct
        ),
    )


def apply_corrections(text: str, corrections: Sequence[Correction]) -> str | None:
    """``text`` with every correction's ``original`` replaced by its ``corrected``, in text order.

    Each correction takes the first occurrence of its ``original`` after the previous one's (the
    model is asked to copy it exactly; case is ignored). None when one cannot be placed: then the
    corrections do not describe this text.
    """
    placed: list[tuple[int, int, str]] = []
    start = 0
    for correction in corrections:
        original = correction.original.strip()
        if not original:
            return None
        found = re.compile(re.escape(original), re.IGNORECASE).search(text, start)
        if found is None:
            found = re.compile(re.escape(original), re.IGNORECASE).search(text)
            if found is None or any(found.start() < end and found.end() > begin for begin, end, _ in placed):
                return None
        placed.append((found.start(), found.end(), correction.corrected.strip()))
        start = found.end()
    corrected = text
    for begin, end, replacement in sorted(placed, reverse=True):
        corrected = corrected[:begin] + replacement + corrected[end:]
    return corrected


def accepted_corrections(
    text: str, corrections: Sequence[Correction], better_expression: str | None
) -> tuple[tuple[Correction, ...], str | None] | None:
    """The corrections of ``text`` proposed by another source (a chat model) and the better
    expression to show with them, when the corrections applied to ``text`` give a sentence the
    checker finds nothing wrong with; None when they do not (keep the checker's own then).

    The better expression is the proposed one when the checker accepts it too, else the corrected
    sentence (None when nothing was corrected and the proposal fails or is missing).
    """
    corrected = apply_corrections(text, corrections)
    if corrected is None or not passes(corrected):
        return None
    better = better_expression.strip() if better_expression else None
    if better is not None and not passes(better):
        better = None
    if better is None and corrections and corrected.strip() != text.strip():
        better = corrected
    return tuple(corrections), better
