"""How a learner's progress is scored: pure functions, no database (``tutor/sessions.py`` feeds them).

The original tutor stored three scores but never wrote them (they stayed 0 forever). Ours:

**Session scores** (0..100, one decimal), computed when a session ends from the learner's own
messages (role ``user``), the session's corrections and the per-word scores of spoken turns:

- ``words`` = words in the learner's messages (letters/digits, with inner apostrophes: "don't" is one).
- Each correction weighs by severity: low 0.5, medium 1, high 2 (:data:`SEVERITY_WEIGHTS`).
- ``grammar = 100 * max(0, 1 - K * weighted grammar corrections / words)`` with ``K = 2.5``
  (:data:`ERROR_RATE_FACTOR`): one medium error every 10 words costs 25 points, one every 4 words
  (or a high one every 8) gives 0. "Yesterday I go to the park and I see an dog." (11 words, three
  medium errors) scores 100 * (1 - 2.5 * 3/11) = 31.8; a session without grammar corrections, 100.
- ``vocabulary``: the same formula over vocabulary corrections. Lexical variety is deliberately not
  rewarded: type/token ratios fall as a session gets longer, which would punish talking more.
- ``pronunciation = 100 * mean word score`` over every scored word of the spoken (audio) turns
  (each 0..1); ``None`` when the session had no audio. Pronunciation corrections are not counted
  again: they are derived from those same word scores.
- A session without any learner words has no scores at all (``None``) and moves no average.

**Overall scores** (the ``progress`` row) are an exponential moving average of the session scores:
``new = alpha * session + (1 - alpha) * old`` with ``alpha = 0.3`` (:data:`ALPHA`), so the last few sessions
count most while one bad day moves the score by at most 30 % of the gap. The first scored session
sets the value outright; pronunciation likewise starts at the first session with audio
(``pronunciation_measured`` says whether it has started).

**Practice attempts** (``tutor/practice.py``) count toward progress too: each attempt's score (the
mean word score of the phrase as heard, 0..100) moves ``pronunciation`` by the same moving average,
one attempt like one session (:func:`fold_practice`); the first measurement, session or attempt,
sets it. Grammar and vocabulary are left alone, and an attempt is not a session: the totals, the
session history and ``last_session_date`` do not change.

**Suggestions** follow the original's thresholds over the share of each correction type: grammar
above 50 % → tenses and prepositions; pronunciation above 30 % → speak slowly and clearly; vocabulary
above 30 % → learn new expressions; no corrections → keep practising; none of these → doing well.
Told to the learner ("Most of your corrections…"), or to their teacher about them by name ("Most of
Minji's corrections…"): the same advice, chosen once (``suggestions(..., about=name)``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

SEVERITY_WEIGHTS: dict[str, float] = {"low": 0.5, "medium": 1.0, "high": 2.0}
# Points lost per weighted error per word: 2.5 → a medium error every 10 words costs 25 points.
ERROR_RATE_FACTOR = 2.5
# Weight of the newest session in the overall (moving average) scores.
ALPHA = 0.3
CORRECTION_TYPES: tuple[str, ...] = ("grammar", "pronunciation", "vocabulary")
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@dataclass(frozen=True)
class SessionScores:
    """What one session earned; ``pronunciation`` is None when nothing was spoken."""

    grammar: float
    vocabulary: float
    pronunciation: float | None
    words: int


@dataclass(frozen=True)
class OverallScores:
    """A learner's moving-average scores. ``measured``: some session has been scored already."""

    grammar: float = 0.0
    vocabulary: float = 0.0
    pronunciation: float = 0.0
    measured: bool = False
    pronunciation_measured: bool = False


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def severity_weight(severity: str) -> float:
    """The weight of ``severity``; an unknown one counts as medium."""
    return SEVERITY_WEIGHTS.get(severity, SEVERITY_WEIGHTS["medium"])


def accuracy_score(weighted_errors: float, words: int) -> float:
    """``100 * max(0, 1 - K * weighted_errors / max(1, words))``, rounded to one decimal."""
    rate = weighted_errors / max(1, words)
    return round(100.0 * max(0.0, 1.0 - ERROR_RATE_FACTOR * rate), 1)


def pronunciation_score(word_scores: Iterable[Sequence[Mapping[str, Any]] | None]) -> float | None:
    """Mean of every word's ``score`` (clamped to 0..1) * 100 over the audio turns; None without any."""
    values = [
        min(1.0, max(0.0, float(entry["score"])))
        for turn in word_scores
        for entry in turn or ()
        if isinstance(entry.get("score"), int | float) and not isinstance(entry.get("score"), bool)
    ]
    if not values:
        return None
    return round(100.0 * sum(values) / len(values), 1)


def score_session(
    user_texts: Iterable[str],
    corrections: Iterable[tuple[str, str]],
    word_scores: Iterable[Sequence[Mapping[str, Any]] | None] = (),
) -> SessionScores | None:
    """The scores of a session from its learner messages, its ``(type, severity)`` corrections and
    the word scores of its audio turns; None when the learner wrote or said no word."""
    words = sum(count_words(text) for text in user_texts)
    if words == 0:
        return None
    weighted: dict[str, float] = {"grammar": 0.0, "vocabulary": 0.0}
    for kind, severity in corrections:
        if kind in weighted:
            weighted[kind] += severity_weight(severity)
    return SessionScores(
        grammar=accuracy_score(weighted["grammar"], words),
        vocabulary=accuracy_score(weighted["vocabulary"], words),
        pronunciation=pronunciation_score(word_scores),
        words=words,
    )


def moving_average(previous: float, value: float, *, first: bool, alpha: float = ALPHA) -> float:
    """``value`` for the first measurement, else ``alpha * value + (1 - alpha) * previous``."""
    if first:
        return round(value, 1)
    return round(alpha * value + (1.0 - alpha) * previous, 1)


def fold_scores(
    overall: OverallScores, session: SessionScores | None, *, alpha: float = ALPHA
) -> OverallScores:
    """``overall`` moved by one session's scores; an unscored session (None) leaves it unchanged."""
    if session is None:
        return overall
    first = not overall.measured
    pronunciation = overall.pronunciation
    if session.pronunciation is not None:
        pronunciation = moving_average(
            overall.pronunciation,
            session.pronunciation,
            first=not overall.pronunciation_measured,
            alpha=alpha,
        )
    return OverallScores(
        grammar=moving_average(overall.grammar, session.grammar, first=first, alpha=alpha),
        vocabulary=moving_average(overall.vocabulary, session.vocabulary, first=first, alpha=alpha),
        pronunciation=pronunciation,
        measured=True,
        pronunciation_measured=overall.pronunciation_measured or session.pronunciation is not None,
    )


def fold_practice(overall: OverallScores, score: float, *, alpha: float = ALPHA) -> OverallScores:
    """``overall`` with its pronunciation moved by one practice attempt's ``score`` (clamped to 0..100)."""
    value = min(100.0, max(0.0, score))
    return replace(
        overall,
        pronunciation=moving_average(
            overall.pronunciation, value, first=not overall.pronunciation_measured, alpha=alpha
        ),
        pronunciation_measured=True,
    )


# -- statistics and weaknesses ----------------------------------------------------------------------


def correction_stats(corrections: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``{total_corrections, by_type: {grammar, pronunciation, vocabulary}, by_severity: {high,
    medium, low}}`` over ``(type, severity)`` pairs (other values count in the total only)."""
    by_type = dict.fromkeys(CORRECTION_TYPES, 0)
    by_severity = dict.fromkeys(SEVERITIES, 0)
    total = 0
    for kind, severity in corrections:
        total += 1
        if kind in by_type:
            by_type[kind] += 1
        if severity in by_severity:
            by_severity[severity] += 1
    return {"total_corrections": total, "by_type": by_type, "by_severity": by_severity}


def common_mistakes(original_texts: Iterable[str], *, top: int = 5) -> list[tuple[str, int]]:
    """The ``top`` most frequent mistakes as ``(text, count)``, compared lower-cased and trimmed.

    Give the texts newest first: among equal counts the most recent mistake comes first.
    """
    counts = Counter(text.strip().lower() for text in original_texts if text.strip())
    return counts.most_common(top)


_SUGGESTIONS: dict[str, dict[str, str]] = {
    "en": {
        "none": "Keep practising: talk with your tutor regularly and your progress will show here.",
        "grammar": "Most of your corrections are grammar: practise verb tenses and prepositions "
        "(yesterday I went, on Monday, at 3 o'clock).",
        "pronunciation": "Speak slowly and clearly, and repeat the words your tutor marks until they "
        "sound right.",
        "vocabulary": "Learn new expressions: reuse the better expressions your tutor suggests in your "
        "next sentences.",
        "good": "You are doing well! Keep challenging yourself with new topics and longer answers.",
    },
    "ko": {
        "none": "꾸준히 연습해 보세요. 튜터와 대화를 나눌수록 여기에서 실력의 변화를 확인할 수 있어요.",
        "grammar": "교정의 절반 이상이 문법이에요. 시제와 전치사를 집중적으로 연습해 보세요 "
        "(yesterday I went, on Monday, at 3 o'clock).",
        "pronunciation": "천천히, 또박또박 말해 보세요. 튜터가 표시한 단어는 자연스러워질 때까지 "
        "여러 번 따라 말해 보세요.",
        "vocabulary": "새로운 표현을 익혀 보세요. 튜터가 알려 준 더 나은 표현을 다음 문장에서 직접 "
        "써 보면 도움이 돼요.",
        "good": "잘하고 있어요! 새로운 주제와 더 긴 대답으로 계속 도전해 보세요.",
    },
}


# The same advice told to the learner's teacher about the learner (``{name}``).
_SUGGESTIONS_ABOUT: dict[str, dict[str, str]] = {
    "en": {
        "none": "{name} has no corrections yet: regular conversations with the tutor will show their "
        "progress here.",
        "grammar": "Most of {name}'s corrections are grammar: verb tenses and prepositions are worth "
        "practising (yesterday I went, on Monday, at 3 o'clock).",
        "pronunciation": "{name} should speak slowly and clearly, and repeat the words the tutor marks "
        "until they sound right.",
        "vocabulary": "{name} should learn new expressions: reusing the better expressions the tutor "
        "suggests in their next sentences.",
        "good": "{name} is doing well! New topics and longer answers will keep challenging them.",
    },
    "ko": {
        "none": "{name} 님은 아직 교정이 없어요. 튜터와 꾸준히 대화할수록 여기에서 실력의 변화를 "
        "확인할 수 있어요.",
        "grammar": "{name} 님의 교정 절반 이상이 문법이에요. 시제와 전치사를 집중적으로 연습하면 "
        "좋아요 (yesterday I went, on Monday, at 3 o'clock).",
        "pronunciation": "{name} 님은 천천히, 또박또박 말하고, 튜터가 표시한 단어를 자연스러워질 "
        "때까지 여러 번 따라 말하면 좋아요.",
        "vocabulary": "{name} 님은 새로운 표현을 익히면 좋아요. 튜터가 알려 준 더 나은 표현을 다음 "
        "문장에서 직접 써 보게 해 주세요.",
        "good": "{name} 님은 잘하고 있어요! 새로운 주제와 더 긴 대답으로 계속 도전해 보게 해 주세요.",
    },
}


def _advice(by_type: Mapping[str, int]) -> list[str]:
    """Which advice the shares of the correction types call for (keys of :data:`_SUGGESTIONS`)."""
    total = sum(by_type.get(kind, 0) for kind in CORRECTION_TYPES)
    if total == 0:
        return ["none"]
    found = [
        kind
        for kind, threshold in (("grammar", 0.5), ("pronunciation", 0.3), ("vocabulary", 0.3))
        if by_type.get(kind, 0) / total > threshold
    ]
    return found or ["good"]


def suggestions(by_type: Mapping[str, int], language: str = "en", *, about: str | None = None) -> list[str]:
    """Advice from the share of each correction type (thresholds in the module docstring), in
    ``language`` ("en" or "ko"; anything else reads as English): told to the learner, or with
    ``about`` (the learner's name) told to their teacher about them."""
    if about is None:
        texts = _SUGGESTIONS.get(language, _SUGGESTIONS["en"])
        return [texts[kind] for kind in _advice(by_type)]
    told = _SUGGESTIONS_ABOUT.get(language, _SUGGESTIONS_ABOUT["en"])
    return [told[kind].format(name=about) for kind in _advice(by_type)]
