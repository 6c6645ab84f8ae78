"""Word order in questions: "Where you are going?" → "Where are you going?"."""

from __future__ import annotations

from framecast.tutor.checker.finding import Finding, span
from framecast.tutor.checker.lexicon import BY_THIRD, MODALS, SUBJECTS, VERBS
from framecast.tutor.checker.tokens import Sentence

_WH = frozenset({"what", "where", "when", "why", "how"})
_BE = frozenset({"am", "is", "are", "was", "were"})


def find(sentence: Sentence) -> list[Finding]:
    if not sentence.is_question or sentence.word(0) not in _WH:
        return []
    subject, verb = sentence.word(1), sentence.word(2)
    if subject not in SUBJECTS:
        return []
    wh, subj = sentence.tokens[0].text, sentence.tokens[1].text
    en = "In a question the verb comes before the subject."
    ko = "의문문에서는 동사(조동사)가 주어 앞에 옵니다."
    if verb in _BE | MODALS:
        return [span(sentence, 0, 2, f"{wh} {sentence.tokens[2].text} {subj}", en, ko)]
    if subject in {"i", "you", "we", "they"} and verb in VERBS:
        return [
            span(
                sentence,
                0,
                2,
                f"{wh} do {subj} {sentence.tokens[2].text}",
                en + " Add 'do'.",
                ko + " 'do'를 넣어야 합니다.",
            )
        ]
    if subject in {"he", "she", "it"} and verb in BY_THIRD:
        base = BY_THIRD[verb].base
        return [
            span(
                sentence,
                0,
                2,
                f"{wh} does {subj} {base}",
                en + " Add 'does'.",
                ko + " 'does'를 넣어야 합니다.",
            )
        ]
    return []
