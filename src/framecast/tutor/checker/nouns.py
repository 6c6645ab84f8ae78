"""Plurals and uncountable nouns: "two dog" → "two dogs", "informations" → "information", "a advice"."""

from __future__ import annotations

from framecast.tutor.checker.finding import Finding, span
from framecast.tutor.checker.lexicon import COUNTABLE, UNCOUNTABLE
from framecast.tutor.checker.tokens import Sentence

_NUMBERS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twenty",
        "many",
        "several",
        "these",
        "those",
        "both",
    ]
)
_DETERMINERS = frozenset(["my", "your", "his", "her", "our", "their", "the", "these", "those"])
_ALWAYS_SINGULAR = {u + "s": u for u in UNCOUNTABLE if u not in {"news", "music"}}


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word, nxt = token.lower, sentence.word(i + 1)
        if word in _ALWAYS_SINGULAR:
            fix = _ALWAYS_SINGULAR[word]
            found.append(
                span(
                    sentence,
                    i,
                    i,
                    fix,
                    f"'{fix}' is uncountable: it has no plural.",
                    f"'{fix}'는 셀 수 없는 명사라서 복수형이 없습니다.",
                    type="vocabulary",
                )
            )
        elif word in {"a", "an"} and nxt in UNCOUNTABLE:
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    sentence.tokens[i + 1].text,
                    f"'{nxt}' is uncountable: no 'a' or 'an' before it.",
                    f"'{nxt}'는 셀 수 없는 명사라서 a/an을 붙이지 않습니다.",
                )
            )
        elif (
            (word in _NUMBERS or (word.isdigit() and int(word) > 1))
            and nxt in COUNTABLE
            and (sentence.word(i + 2) not in COUNTABLE)
        ):
            plural = COUNTABLE[nxt]
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    f"{token.text} {plural}",
                    f"After '{token.text}' the noun is plural: '{plural}'.",
                    f"'{token.text}' 뒤에는 복수형 '{plural}'을(를) 씁니다.",
                )
            )
        elif (
            word == "one"
            and nxt == "of"
            and sentence.word(i + 2) in _DETERMINERS
            and (sentence.word(i + 3) in COUNTABLE)
        ):
            plural = COUNTABLE[sentence.word(i + 3)]
            found.append(
                span(
                    sentence,
                    i + 3,
                    i + 3,
                    plural,
                    f"'one of ...' takes a plural noun: '{plural}'.",
                    f"'one of ...' 뒤에는 복수 명사 '{plural}'을(를) 씁니다.",
                )
            )
    return found
