"""Auxiliaries and modals take the base form: "did went" → "did go", "can swims", "I am agree"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import BY_ING, BY_PAST, BY_THIRD, MODALS, SUBJECTS, SUBJECTS_3SG
from bench.previous_checker.tokens import Sentence

_DO = frozenset({"did", "didn't", "does", "doesn't", "don't", "do"})
_STATIVE = frozenset(
    {"agree", "disagree", "know", "understand", "want", "need", "believe", "remember", "think"}
)
_TO_PAST = frozenset(
    {
        "went",
        "came",
        "ate",
        "did",
        "took",
        "bought",
        "made",
        "got",
        "gave",
        "wrote",
        "drank",
        "swam",
        "ran",
        "spoke",
        "met",
        "told",
        "knew",
        "thought",
        "played",
        "watched",
        "visited",
    }
)
_EN = "After '{a}' use the base form of the verb: '{v}'."
_KO = "'{a}' 뒤에는 동사원형 '{v}'을(를) 씁니다."


# Verbs of knowing and owning take no -ing: "He is knowing" → "He knows".
_STATIVE_ING = {"knowing": "know", "believing": "believe", "owning": "own", "belonging": "belong"}


def _base(word: str) -> str | None:
    verb = BY_PAST.get(word) or BY_THIRD.get(word) or BY_ING.get(word)
    return verb.base if verb is not None and word != verb.base else None


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        aux = token.lower
        if aux in _DO | MODALS:
            # "did went", or a question "did you went"
            j = i + 2 if sentence.word(i + 1) in SUBJECTS else i + 1
            if sentence.word(i + 1) == "not":
                j = i + 2
            base = _base(sentence.word(j))
            if base is not None and not (aux == "do" and j == i + 1):
                fixed = " ".join(t.text for t in sentence.tokens[i:j]) + " " + base
                found.append(
                    span(
                        sentence,
                        i,
                        j,
                        fixed,
                        _EN.format(a=token.text, v=base),
                        _KO.format(a=token.text, v=base),
                    )
                )
                continue
        if (
            aux in MODALS
            and sentence.word(i + 1) == "to"
            and sentence.word(i + 2) in BY_THIRD.keys() | {v.base for v in BY_THIRD.values()}
        ):
            fixed = f"{token.text} {sentence.tokens[i + 2].text}"
            found.append(
                span(
                    sentence,
                    i,
                    i + 2,
                    fixed,
                    f"No 'to' after '{token.text}'.",
                    f"'{token.text}' 뒤에는 'to' 없이 동사원형을 씁니다.",
                )
            )
        elif aux == "to" and sentence.word(i + 1) in _TO_PAST:
            base = BY_PAST[sentence.word(i + 1)].base
            found.append(
                span(sentence, i, i + 1, f"to {base}", _EN.format(a="to", v=base), _KO.format(a="to", v=base))
            )
        elif (
            aux in {"am", "is", "are"}
            and sentence.word(i - 1) in SUBJECTS
            and sentence.word(i + 1) in _STATIVE_ING
        ):
            base = _STATIVE_ING[sentence.word(i + 1)]
            fixed = base + "s" if sentence.word(i - 1) in SUBJECTS_3SG else base
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    fixed,
                    f"'{base}' describes a state: use the simple present '{fixed}', not '-ing'.",
                    f"'{base}'는 상태를 나타내는 동사라서 진행형으로 쓰지 않고 '{fixed}'(으)로 씁니다.",
                )
            )
        elif aux in {"am", "is", "are"} and sentence.word(i - 1) in SUBJECTS:
            negated = sentence.word(i + 1) == "not"
            verb = sentence.word(i + 2 if negated else i + 1)
            if verb not in _STATIVE:
                continue
            third = aux == "is"
            last = i + 2 if negated else i + 1
            if negated:  # noqa: SIM108 - two plain branches read better than a nested ternary
                fixed = ("doesn't " if third else "don't ") + verb
            else:
                fixed = verb + ("s" if third else "")
            found.append(
                span(
                    sentence,
                    i,
                    last,
                    fixed,
                    f"'{verb}' is a verb, not an adjective: no 'be' before it.",
                    f"'{verb}'는 동사이므로 앞에 be동사를 쓰지 않습니다.",
                )
            )
    return found
