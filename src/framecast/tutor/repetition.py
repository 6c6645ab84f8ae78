"""Whether a spoken turn repeats a phrase the tutor asked for, and which one.

The scripted tutor teaches with "Try saying: '…'" and models corrections with "You could say: '…'";
an LLM tutor quotes phrases to repeat the same way, in single, double or typographic quotes. A
learner's turn repeats one of them when its words are close to the phrase's (compared as the
transcript scorer normalises them: contractions expanded, numbers spelled out; a word-level
similarity of at least :data:`MIN_SIMILARITY`: a swapped or missing word still counts, another
sentence does not). Such a turn is scored against the phrase itself (``phrase_scoring.PHRASE``),
where the recogniser's transcript would have hidden the learner's mistakes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Final

from framecast.providers.base import ChatMessage
from framecast.tutor.pronunciation import normal_tokens

# Word-level similarity (difflib's ratio) from which a turn counts as a repetition of a phrase.
MIN_SIMILARITY: Final = 0.6
# A quoted phrase: in double quotes (straight or typographic), or in single ones (straight or
# typographic) opened after a space, a colon or a bracket and closed before one or before
# punctuation (so the apostrophes of "I'm" or "Sam's" neither open nor close).
_QUOTED: Final = re.compile(
    r'"(?P<double>[^"]+)"|\u201c(?P<curly>[^\u201d]+)\u201d'
    r"|(?:^|(?<=[\s:(]))(?P<open>['\u2018])(?P<single>.+?)['\u2019](?=[\s.,!?;:)]|$)"
)


def quoted_phrases(text: str) -> list[str]:
    """The phrases quoted in ``text``, in order."""
    found: list[str] = []
    for match in _QUOTED.finditer(text):
        phrase = (match["double"] or match["curly"] or match["single"] or "").strip()
        if normal_tokens(phrase):
            found.append(phrase)
    return found


def last_tutor_message(history: Sequence[ChatMessage]) -> str | None:
    """The content of the tutor's last message in ``history``, or None."""
    return next((m.content for m in reversed(history) if m.role == "assistant"), None)


def repeated_phrase(said: str, tutor_message: str | None) -> str | None:
    """The phrase quoted in ``tutor_message`` that ``said`` repeats (the closest one, when its
    similarity reaches ``MIN_SIMILARITY``), or None."""
    if not tutor_message:
        return None
    spoken = normal_tokens(said)
    if not spoken:
        return None
    best: tuple[float, str] | None = None
    for phrase in quoted_phrases(tutor_message):
        ratio = SequenceMatcher(None, spoken, normal_tokens(phrase), autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, phrase)
    return best[1] if best is not None and best[0] >= MIN_SIMILARITY else None
