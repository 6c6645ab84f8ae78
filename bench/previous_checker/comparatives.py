"""Comparatives and superlatives: "more better" → "better", "more big than" → "bigger than"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import ADJECTIVES, COMPARATIVES, SUPERLATIVES
from bench.previous_checker.tokens import Sentence

_WRONG = {"gooder": "better", "badder": "worse", "goodest": "best", "baddest": "worst"}
# "the older brother in the family" may be one of two; those are left alone.
_TO_SUPERLATIVE = {
    comp: sup for comp, sup in ADJECTIVES.values() if comp not in {"older", "younger", "later", "earlier"}
}
_GROUP = frozenset({"in", "among"})


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word, nxt = token.lower, sentence.word(i + 1)
        if (word == "more" and nxt in COMPARATIVES - {"more", "less"}) or (
            word == "most" and nxt in SUPERLATIVES
        ):
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    sentence.tokens[i + 1].text,
                    f"'{nxt}' is already comparative: drop '{token.text}'.",
                    f"'{nxt}'는 이미 비교급/최상급이므로 '{token.text}'를 빼야 합니다.",
                )
            )
        elif (
            word == "more"
            and nxt in ADJECTIVES
            and (sentence.word(i + 2) == "than" or sentence.is_boundary(i + 2))
        ):
            comp = ADJECTIVES[nxt][0]
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    comp,
                    f"Short adjectives add -er: '{comp}'.",
                    f"짧은 형용사의 비교급은 -er을 붙여 '{comp}'(으)로 씁니다.",
                )
            )
        elif word == "most" and sentence.word(i - 1) == "the" and nxt in ADJECTIVES:
            sup = ADJECTIVES[nxt][1]
            found.append(
                span(
                    sentence,
                    i,
                    i + 1,
                    sup,
                    f"Short adjectives add -est: '{sup}'.",
                    f"짧은 형용사의 최상급은 -est를 붙여 '{sup}'(으)로 씁니다.",
                )
            )
        elif (
            word == "the"
            and nxt in _TO_SUPERLATIVE
            and (sentence.word(i + 2) in _GROUP or sentence.word(i + 3) in _GROUP)
        ):
            # "the taller student in my class": one out of a group is a superlative ("the taller of
            # the two" is right and is left alone).
            sup = _TO_SUPERLATIVE[nxt]
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 1,
                    sup,
                    f"To pick one out of a group, use the superlative '{sup}'.",
                    f"여럿 가운데 하나를 가리킬 때는 최상급 '{sup}'을(를) 씁니다.",
                )
            )
        elif word in _WRONG:
            fix = _WRONG[word]
            found.append(
                span(
                    sentence,
                    i,
                    i,
                    fix,
                    f"The irregular form is '{fix}'.",
                    f"불규칙 변화형 '{fix}'을(를) 써야 합니다.",
                )
            )
    return found
