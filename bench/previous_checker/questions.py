"""Word order in questions: "Where you are going?" → "Where are you going?", "What time it is?"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import BY_PAST, BY_THIRD, MODALS, SUBJECTS, VERBS
from bench.previous_checker.tokens import Sentence

_WH = frozenset({"what", "where", "when", "why", "how"})
# Question words of two words: "what time", "how much", "how old"...
_WH_SECOND = {
    "what": frozenset({"time", "day"}),
    "how": frozenset({"much", "long", "often", "old", "far", "many"}),
}
_BE = frozenset({"am", "is", "are", "was", "were"})
_PARTICIPLES = frozenset(v.participle for v in VERBS.values()) | {"been"}


def _is_participle(word: str) -> bool:
    return word in _PARTICIPLES or word.endswith("ed")


def _wh_length(sentence: Sentence) -> int:
    first, second = sentence.word(0), sentence.word(1)
    if first not in _WH:
        return 0
    if second in _WH_SECOND.get(first, ()):
        # "How many brothers you have?": the noun belongs to the question word
        return 3 if second == "many" and sentence.word(2).endswith("s") else 2
    return 1


def find(sentence: Sentence) -> list[Finding]:
    if not sentence.is_question:
        return []
    n = _wh_length(sentence)
    subject, verb = sentence.word(n), sentence.word(n + 1)
    if n == 0 or subject not in SUBJECTS:
        return []
    wh = " ".join(t.text for t in sentence.tokens[:n])
    subj, verb_text = sentence.tokens[n].text, sentence.tokens[n + 1].text
    en = "In a question the verb comes before the subject."
    ko = "의문문에서는 동사(조동사)가 주어 앞에 옵니다."
    if verb in _BE | MODALS or (verb in {"have", "has", "had"} and _is_participle(sentence.word(n + 2))):
        return [span(sentence, 0, n + 1, f"{wh} {verb_text} {subj}", en, ko)]
    if subject in {"i", "you", "we", "they"} and verb in VERBS:
        return [
            span(
                sentence,
                0,
                n + 1,
                f"{wh} do {subj} {verb_text}",
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
                n + 1,
                f"{wh} does {subj} {base}",
                en + " Add 'does'.",
                ko + " 'does'를 넣어야 합니다.",
            )
        ]
    if verb in BY_PAST and verb not in VERBS:
        base = BY_PAST[verb].base
        return [
            span(
                sentence,
                0,
                n + 1,
                f"{wh} did {subj} {base}",
                en + " Add 'did'.",
                ko + " 'did'를 넣어야 합니다.",
            )
        ]
    return []
