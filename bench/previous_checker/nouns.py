"""Plurals and uncountable nouns: "two dog" → "two dogs", "informations" → "information", "a advice"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import COUNTABLE, UNCOUNTABLE
from bench.previous_checker.tokens import Sentence

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
_PLURAL_VERB = {"are": "is", "were": "was"}
# Irregular plurals made regular ("two childs"); each wrong form is not an English word by itself.
_IRREGULAR_PLURALS = {
    "childs": "children",
    "childrens": "children",
    "womans": "women",
    "womens": "women",
    "mens": "men",
    "foots": "feet",
    "feets": "feet",
    "tooths": "teeth",
    "teeths": "teeth",
    "mouses": "mice",
    "gooses": "geese",
    "sheeps": "sheep",
    "fishs": "fish",
}
# Nouns that are also a mass ("a lot of room", "a lot of glass"), so "a lot of" does not make them plural.
_ALSO_MASS = frozenset({"room", "glass", "chicken", "paper", "cake", "light", "work", "time", "class"})


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word, nxt = token.lower, sentence.word(i + 1)
        if word in _IRREGULAR_PLURALS and (i == 0 or not token.text[:1].isupper()):  # not a name
            plural = _IRREGULAR_PLURALS[word]
            found.append(
                span(
                    sentence,
                    i,
                    i,
                    plural,
                    f"The plural of this noun is irregular: '{plural}'.",
                    f"이 명사의 복수형은 불규칙해서 '{plural}'입니다.",
                )
            )
        elif word in _ALWAYS_SINGULAR:
            noun = fix = _ALWAYS_SINGULAR[word]
            last, en, ko = i, "", ""
            if nxt in _PLURAL_VERB:  # "Our luggages were" → "Our luggage was"
                fix, last = f"{noun} {_PLURAL_VERB[nxt]}", i + 1
                en, ko = " and takes a singular verb", " 단수 동사를 씁니다"
            found.append(
                span(
                    sentence,
                    i,
                    last,
                    fix,
                    f"'{noun}' is uncountable: it has no plural{en}.",
                    f"'{noun}'은(는) 셀 수 없는 명사라서 복수형이 없{'고' + ko if ko else '습니다'}.",
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
            word == "of"
            and sentence.word(i - 1) in {"lot", "lots"}
            and nxt in COUNTABLE
            and nxt not in _ALSO_MASS
            and sentence.word(i + 2) not in COUNTABLE
        ):
            plural = COUNTABLE[nxt]
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 1,
                    plural,
                    f"After 'a lot of' a countable noun is plural: '{plural}'.",
                    f"'a lot of' 뒤에 오는 셀 수 있는 명사는 복수형 '{plural}'(으)로 씁니다.",
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
