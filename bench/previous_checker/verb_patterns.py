"""Infinitive or gerund after a verb: "enjoy to swim" → "enjoy swimming", "want going" → "want to go"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import BY_ING, VERBS
from bench.previous_checker.tokens import Sentence


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
_CAUSATIVES = frozenset({"let", "lets", "make", "makes", "made", "making"})
_OBJECTS = frozenset({"me", "you", "him", "her", "us", "them", "it"})
# "be used to" + -ing, when a person is the subject ("The knife is used to cut" is a passive).
_BE_USED = frozenset({"am", "is", "are", "was", "were", "i'm", "you're", "he's", "she's", "we're", "they're"})
_PEOPLE = frozenset({"i", "you", "he", "she", "we", "they"})
# A preposition takes a verb in -ing form: "before go" → "before going", "for help me" → "for helping me".
_PREPOSITIONS = frozenset({"for", "about", "of", "before", "after", "without"})
_PREPOSITIONS_AFTER = {"at": frozenset({"good", "bad", "great", "better"}), "in": frozenset({"interested"})}
# Base forms that are never nouns, so "after eat" is surely a verb; "after work" is not.
_ONLY_VERBS = frozenset(
    [
        "go",
        "eat",
        "swim",
        "learn",
        "speak",
        "meet",
        "teach",
        "write",
        "sing",
        "see",
        "buy",
        "bring",
        "leave",
        "become",
        "forget",
        "choose",
        "send",
        "spend",
        "sit",
        "steal",
        "wake",
        "throw",
        "grow",
        "hear",
        "wear",
        "sell",
        "tell",
        "say",
        "find",
        "know",
        "think",
        "get",
        "give",
        "make",
        "take",
        "come",
        "do",
        "understand",
    ]
)


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
        elif word in _CAUSATIVES and nxt in _OBJECTS and sentence.word(i + 2) == "to":
            if sentence.word(i + 3) in VERBS:
                found.append(
                    span(
                        sentence,
                        i + 1,
                        i + 2,
                        sentence.tokens[i + 1].text,
                        f"After '{token.text} {nxt}' use the base verb without 'to'.",
                        f"'{token.text} + 목적어' 뒤에는 to 없이 동사원형을 씁니다.",
                    )
                )
        elif _is_be_used_to(sentence, i) and sentence.word(i + 2) in VERBS:
            ing = VERBS[sentence.word(i + 2)].ing
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 2,
                    f"to {ing}",
                    f"In 'be used to', 'to' is a preposition: use '{ing}'.",
                    f"'be used to'(~에 익숙하다)의 to는 전치사이므로 '{ing}'을(를) 씁니다.",
                )
            )
        elif _takes_gerund(sentence, i):
            ing = VERBS[nxt].ing
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 1,
                    ing,
                    f"After the preposition '{token.text}' a verb takes the -ing form: '{ing}'.",
                    f"전치사 '{token.text}' 뒤에 오는 동사는 -ing 형태 '{ing}'(으)로 씁니다.",
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


def _is_be_used_to(sentence: Sentence, i: int) -> bool:
    if sentence.word(i) != "used" or sentence.word(i + 1) != "to":
        return False
    be = sentence.word(i - 1)
    return be in _BE_USED and ("'" in be or sentence.word(i - 2) in _PEOPLE)


def _takes_gerund(sentence: Sentence, i: int) -> bool:
    word, verb = sentence.word(i), sentence.word(i + 1)
    if word in _PREPOSITIONS_AFTER:
        if sentence.word(i - 1) not in _PREPOSITIONS_AFTER[word]:
            return False
    elif word not in _PREPOSITIONS or sentence.word(i - 1) in {"kind", "sort"}:
        return False  # "I kind of think so": here "of" is part of an adverb
    return verb in _ONLY_VERBS or (verb in VERBS and sentence.word(i + 2) in {"me", "him", "us", "them"})
