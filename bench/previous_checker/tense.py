"""Past tense after a past time marker: "Yesterday I go" → "went"."""

from __future__ import annotations

from itertools import pairwise

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import AUXILIARIES, BY_THIRD, SUBJECTS, VERBS
from bench.previous_checker.tokens import Sentence

_CLAUSE_BREAKS = frozenset({"but", "because", "although", "though", ";", "while", "now"})
_PRESENT_MARKERS = frozenset({"every", "usually", "always", "often", "today", "now", "sometimes", "tomorrow"})
_LAST = frozenset(
    {
        "night",
        "week",
        "month",
        "year",
        "summer",
        "winter",
        "weekend",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "time",
    }
)
_BE_PAST = {"am": "was", "is": "was", "are": "were"}
_PAST_FORMS = frozenset(v.past for v in VERBS.values() if v.past != v.base) | {"was", "were"}
_BY_PARTICIPLE = {v.participle: v for v in VERBS.values() if v.base not in {"have", "do"}}


def _clauses(sentence: Sentence) -> list[range]:
    clauses: list[range] = []
    start = 0
    for i, token in enumerate(sentence.tokens):
        if token.lower in _CLAUSE_BREAKS:
            clauses.append(range(start, i))
            start = i + 1
    clauses.append(range(start, len(sentence.tokens)))
    return clauses


def _has_past_marker(sentence: Sentence, clause: range) -> bool:
    words = [sentence.word(i) for i in clause]
    if any(w in _PRESENT_MARKERS for w in words):
        return False
    if "yesterday" in words or "ago" in words:
        return True
    # "When I was young, I live there": a past "when" clause sets the time of the sentence.
    if any(
        w == "when" and nxt in SUBJECTS and third in {"was", "were"}
        for w, nxt, third in zip(words, words[1:], words[2:], strict=False)
    ):
        return True
    return any(w == "last" and nxt in _LAST for w, nxt in pairwise(words))


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for clause in _clauses(sentence):
        if not _has_past_marker(sentence, clause):
            continue
        past_seen = False
        for i in clause:
            if sentence.word(i) == "and" and past_seen:
                break  # "I met her ten years ago and we have two kids": the learner chose the present
            past_seen = past_seen or sentence.word(i) in _PAST_FORMS
            if sentence.word(i) not in SUBJECTS or sentence.word(i - 1) in AUXILIARIES - {"and", "or", "if"}:
                continue  # after "that" the present may be right: "I realized that I love it"
            word = sentence.word(i + 1)
            verb = VERBS.get(word) or BY_THIRD.get(word)
            perfect = _BY_PARTICIPLE.get(sentence.word(i + 2)) if word in {"have", "has"} else None
            if word in {"have", "has"} and sentence.word(i + 2) == "been":
                # "have been to Busan last year" is a visit: "went to"; otherwise "was"/"were".
                was = "were" if sentence.word(i) in {"you", "we", "they"} else "was"
                was = "went" if sentence.word(i + 3) == "to" else was
                found.append(
                    span(
                        sentence,
                        i + 1,
                        i + 2,
                        was,
                        f"With a finished past time, use the simple past '{was}', not the present perfect.",
                        f"과거의 특정 시점을 말할 때는 현재완료가 아니라 과거형 '{was}'를 씁니다.",
                    )
                )
            elif perfect is not None:
                found.append(
                    span(
                        sentence,
                        i + 1,
                        i + 2,
                        perfect.past,
                        f"With a finished past time, use the simple past '{perfect.past}', "
                        "not the present perfect.",
                        "과거의 특정 시점을 말할 때는 현재완료가 아니라 "
                        f"과거형 '{perfect.past}'을(를) 씁니다.",
                    )
                )
            elif word in {"don't", "doesn't"}:
                found.append(
                    span(
                        sentence,
                        i + 1,
                        i + 1,
                        "didn't",
                        "Use 'didn't' for the past.",
                        "과거의 부정문에는 'didn't'를 씁니다.",
                    )
                )
            elif verb is not None and verb.base != "do":
                found.append(
                    span(
                        sentence,
                        i + 1,
                        i + 1,
                        verb.past,
                        f"Use the past tense '{verb.past}' for a finished action in the past.",
                        f"과거의 일을 말할 때는 과거형 '{verb.past}'을(를) 써야 합니다.",
                    )
                )
            elif word in _BE_PAST and not (word == "am" and sentence.word(i) != "i"):
                past = "were" if sentence.word(i) in {"you", "we", "they"} else "was"
                found.append(
                    span(
                        sentence,
                        i + 1,
                        i + 1,
                        past,
                        f"Use the past form '{past}' of 'be' for the past.",
                        f"과거를 말할 때는 be동사의 과거형 '{past}'을(를) 씁니다.",
                    )
                )
    return found
