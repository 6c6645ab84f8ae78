"""Value types for corrections of a learner's sentence.

The shape follows the correction JSON of the original tutor (see shared/reference §1.6), with the
``type`` values the database and the UI count: grammar, vocabulary and pronunciation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CorrectionType = Literal["grammar", "vocabulary", "pronunciation"]
Severity = Literal["low", "medium", "high"]


@dataclass(frozen=True, slots=True)
class Correction:
    """One fix: ``original`` is the exact text found in the sentence, ``corrected`` replaces it."""

    type: CorrectionType
    original: str
    corrected: str
    explanation: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A checked sentence: the text, the text with every correction applied, and the corrections."""

    text: str
    corrected_text: str
    corrections: tuple[Correction, ...]

    @property
    def has_errors(self) -> bool:
        return bool(self.corrections)
