"""The ``feedback`` text of a correction message, and short praise, in English or Korean.

The shape follows the original tutor's ``format_correction_feedback`` (shared/reference §1.6): a
verdict or a "corrections" header, one line per correction ``Label: original → corrected
(explanation)``, the more natural expression, then the overall feedback.
"""

from __future__ import annotations

from collections.abc import Sequence

from framecast.tutor.brain import Language
from framecast.tutor.corrections import Correction, CorrectionType

_LABELS: dict[Language, dict[CorrectionType, str]] = {
    "en": {"grammar": "Grammar", "vocabulary": "Vocabulary", "pronunciation": "Pronunciation"},
    "ko": {"grammar": "문법", "vocabulary": "어휘", "pronunciation": "발음"},
}
# Finding nothing is not knowing a sentence is right (the checker covers some families only), so the
# verdict without corrections is "no mistakes found" unless the checker vouches for the sentence.
_NO_MISTAKES = {"en": "I found no mistakes.", "ko": "틀린 부분을 찾지 못했어요."}
_CONFIRMED = {"en": "Great! That sentence is correct.", "ko": "잘했어요! 맞는 문장이에요."}
_HEADER = {"en": "Here are some corrections:", "ko": "이렇게 고쳐 보세요:"}
_BETTER = {"en": "A more natural way to say this: '{}'", "ko": "더 자연스러운 표현: '{}'"}

_PRAISE: dict[Language, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("Excellent work!", "Well done!", "Great job, keep it up!"),
        (
            "Nearly perfect, just one small fix.",
            "Very good, only one thing to fix.",
            "Good job, just one small mistake.",
        ),
        ("Good effort, keep going!", "Nice try, you're improving!", "Keep it up, practice makes perfect!"),
    ),
    "ko": (
        ("아주 잘했어요!", "좋아요, 잘했어요!", "훌륭해요, 계속 이렇게 해 봐요!"),
        (
            "거의 완벽해요, 한 가지만 고치면 돼요.",
            "아주 좋아요, 한 부분만 고쳐 봐요.",
            "잘했어요, 작은 실수 하나만 있어요.",
        ),
        (
            "좋은 시도예요, 계속해 봐요!",
            "잘하고 있어요, 점점 나아지고 있어요!",
            "꾸준히 연습하면 금방 늘 거예요!",
        ),
    ),
}


def type_label(correction_type: CorrectionType, language: Language) -> str:
    """The label of a correction type: Grammar / 문법, Vocabulary / 어휘, Pronunciation / 발음."""
    return _LABELS[language][correction_type]


def format_feedback(
    corrections: Sequence[Correction],
    better_expression: str | None,
    overall: str | None,
    language: Language,
    *,
    confirmed_correct: bool = False,
) -> str:
    """The feedback text: one verdict line without corrections, else one line per correction.

    Without corrections the verdict is "I found no mistakes."; it is "That sentence is correct." only
    when ``confirmed_correct`` (the offline checker's ``CheckedText.confirmed_correct``: a short
    sentence it parsed fully, every word known).
    """
    overall = (overall or "").strip()
    better = (better_expression or "").strip()
    if not corrections:
        parts = [(_CONFIRMED if confirmed_correct else _NO_MISTAKES)[language]]
        if better:
            parts.append(_BETTER[language].format(better))
        if overall:
            parts.append(overall)
        return " ".join(parts)
    lines = [_HEADER[language]]
    for c in corrections:
        line = f"{type_label(c.type, language)}: {c.original} → {c.corrected}"
        if c.explanation.strip():
            line += f" ({c.explanation.strip()})"
        lines.append(line)
    if better:
        lines.append(_BETTER[language].format(better))
    if overall:
        lines.append(overall)
    return "\n".join(lines)


def encouragement(n_errors: int, language: Language, *, seed: int = 0) -> str:
    """A short line of praise (no errors) or encouragement (one, or several errors).

    The wording varies with ``seed`` and is the same for the same arguments.
    """
    group = _PRAISE[language][min(max(n_errors, 0), 2)]
    return group[seed % len(group)]
