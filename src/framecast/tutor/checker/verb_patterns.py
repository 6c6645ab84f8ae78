"""Infinitive or gerund after a verb: "enjoy to swim" → "enjoy swimming", "want going" → "want to go"."""

from __future__ import annotations

from framecast.tutor.checker.finding import Finding, span
from framecast.tutor.checker.lexicon import BY_ING, VERBS
from framecast.tutor.checker.tokens import Sentence


def _forms(*bases: str) -> frozenset[str]:
    out: set[str] = set()
    for base in bases:
        verb = VERBS.get(base)
        out |= (
            {base, base + "s", base + "d", base + "ed"}
            if verb is None
            else {verb.base, verb.third, verb.past, verb.ing}
        )
    return frozenset(out)


_GERUND_VERBS = _forms(
    "enjoy",
    "finish",
    "mind",
    "avoid",
    "suggest",
    "keep",
    "practice",
    "practise",
    "consider",
    "miss",
    "imagine",
    "deny",
    "recommend",
)
_INFINITIVE_VERBS = _forms("want", "decide", "hope", "plan", "promise", "refuse", "expect", "agree")


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word = token.lower
        nxt = sentence.word(i + 1)
        if word in _GERUND_VERBS and nxt == "to" and sentence.word(i + 2) in VERBS:
            ing = VERBS[sentence.word(i + 2)].ing
            found.append(
                span(
                    sentence,
                    i,
                    i + 2,
                    f"{token.text} {ing}",
                    f"'{token.text}' is followed by a verb in -ing form: '{ing}'.",
                    f"'{token.text}' 뒤에는 -ing 형태 '{ing}'을(를) 씁니다.",
                )
            )
        elif (word in _INFINITIVE_VERBS and nxt in BY_ING and nxt != "going") or (
            word in _INFINITIVE_VERBS and nxt == "going" and sentence.word(i + 2) != "to"
        ):
            base = BY_ING[nxt].base
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    f"{token.text} to {base}",
                    f"'{token.text}' is followed by 'to' + base verb: 'to {base}'.",
                    f"'{token.text}' 뒤에는 'to + 동사원형'(to {base})을 씁니다.",
                )
            )
        elif (
            word == "forward"
            and sentence.word(i - 1) in _forms("look")
            and nxt == "to"
            and (sentence.word(i + 2) in VERBS)
        ):
            ing = VERBS[sentence.word(i + 2)].ing
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 2,
                    f"to {ing}",
                    f"In 'look forward to', 'to' is a preposition: use '{ing}'.",
                    f"'look forward to'의 to는 전치사이므로 '{ing}'을(를) 씁니다.",
                )
            )
    return found
