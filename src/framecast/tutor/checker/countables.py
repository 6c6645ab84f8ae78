"""Countable and uncountable nouns: many/much, few/little, no plural for an uncountable noun, and a
plural after a number or a plural quantifier.

"I don't have much friends" → "many friends", "How many money" → "How much money", "I have many
homework" → "a lot of homework", "some informations" → "some information", "He gave me an advice"
→ "advice", "few water" → "little water", "two brother" → "two brothers", "one of my friend" →
"one of my friends", "two childs" → "two children".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import COUNTABLE, MASS, UNCOUNTABLE, words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Uncountable nouns a learner makes plural; "knowledge" and "research" are left out: "a knowledge of
# English" is right and "researches" is also a verb.
_PLURALS = {n + "s": n for n in UNCOUNTABLE if n not in ("news", "research", "knowledge", "work")} | {
    "knowledges": "knowledge"
}
_IRREGULAR = {
    "childs": "children",
    "childrens": "children",
    "womans": "women",
    "womens": "women",
    "mans": "men",
    "mens": "men",
    "foots": "feet",
    "feets": "feet",
    "tooths": "teeth",
    "teeths": "teeth",
    "mouses": "mice",
    "gooses": "geese",
    "sheeps": "sheep",
    "fishs": "fish",
    "peoples": "people",
}
_MUCH_CONTEXT = frozenset({"how", "too", "so", "as", "very"})
_PLURAL_QUANTIFIERS = frozenset({"many", "several", "few", "both", "these", "those", "various", "numerous"})
_LITTLE_AFTER = frozenset({"have", "has", "had", "very", "so", "too", "are", "were", "with", "only"})
# "one of my friends", "a lot of friends": a part of a group names the group in the plural.
_PARTS_OF = words("one each some many all most none lot lots several both")
_ALSO_MASS = frozenset(
    {"room", "time", "chicken", "paper", "cake", "glass", "hair", "light", "work", "coffee"}
)


def _negative(token: Token) -> bool:
    return any(t.lower_ in ("not", "n't", "never") for t in token.sent)


def _finding(doc: Doc, first: Token, last: Token, fixed: str, en: str, ko: str) -> Finding:
    return replace(doc, first.i, last.i, fixed, "countables", en, ko)


def _plural_of(noun: str) -> str | None:
    return morphology.inflect(noun, "NNS")


def _quantifier(doc: Doc, word: Token) -> Finding | None:
    nxt = doc[word.i + 1] if word.i + 1 < len(doc) else None
    if nxt is None or not nxt.is_alpha:
        return None
    w, noun = word.lower_, nxt.lower_
    before = doc[word.i - 1].lower_ if word.i > 0 else ""
    if w == "many" and nxt.tag_ == "NN" and noun in MASS:
        if before in _MUCH_CONTEXT or _negative(word) or word.sent[-1].text == "?":
            fixed, shown = "much", "much"
            first = word
        else:
            fixed, shown = "a lot of", "a lot of"
            first = word
        return _finding(
            doc,
            first,
            nxt,
            f"{fixed} {nxt.text}",
            f"{quote(nxt.text)} is uncountable: use {quote(shown)}, not 'many'.",
            f"{quoted(nxt.text, '은/는')} 셀 수 없는 명사라서 'many' 대신 {quoted(shown, '을/를')} 씁니다.",
        )
    if w == "much" and nxt.tag_ == "NNS" and word.dep_ in ("amod", "det") and word.head.i == nxt.i:
        return _finding(
            doc,
            word,
            word,
            "many",
            f"{quote(nxt.text)} is a plural countable noun: use 'many', not 'much'.",
            f"{quoted(nxt.text, '은/는')} 셀 수 있는 복수 명사라서 "
            f"'much' 대신 {quoted('many', '을/를')} 씁니다.",
        )
    if w == "few" and nxt.tag_ == "NN" and noun in MASS and noun not in _ALSO_MASS:
        return _finding(
            doc,
            word,
            word,
            "little",
            f"{quote(nxt.text)} is uncountable: use 'little', not 'few'.",
            f"{quoted(nxt.text, '은/는')} 셀 수 없는 명사라서 'few' 대신 {quoted('little', '을/를')} 씁니다.",
        )
    if w == "little" and nxt.tag_ == "NNS" and (before in _LITTLE_AFTER or before == "a"):
        return _finding(
            doc,
            word,
            word,
            "few",
            f"{quote(nxt.text)} is a plural countable noun: use 'few', not 'little'.",
            f"{quoted(nxt.text, '은/는')} 셀 수 있는 복수 명사라서 "
            f"'little' 대신 {quoted('few', '을/를')} 씁니다.",
        )
    return None


def _uncountable_plural(doc: Doc, noun: Token) -> Finding | None:
    """ "some informations" → "some information"; "many advices" → "a lot of advice"."""
    singular = _PLURALS.get(noun.lower_)
    if singular is None or noun.tag_ not in ("NNS", "NN") or noun.dep_ == "compound":
        return None
    first = noun
    fixed = singular
    before = doc[noun.i - 1] if noun.i > 0 else None
    if before is not None and before.lower_ == "many":
        much_context = (noun.i > 1 and doc[noun.i - 2].lower_ in _MUCH_CONTEXT) or _negative(noun)
        first, fixed = before, f"{'much' if much_context else 'a lot of'} {singular}"
    elif before is not None and before.lower_ in ("a", "an"):
        return None
    return _finding(
        doc,
        first,
        noun,
        fixed,
        f"{quote(singular)} is uncountable: it has no plural.",
        f"{quoted(singular, '은/는')} 셀 수 없는 명사라서 복수형이 없습니다.",
    )


def _article_uncountable(doc: Doc, article: Token) -> Finding | None:
    """ "He gave me an advice" → "advice"."""
    if article.lower_ not in ("a", "an") or article.dep_ != "det":
        return None
    noun = article.head
    if noun.lower_ not in UNCOUNTABLE or noun.lower_ in ("fun",) or noun.tag_ != "NN" or noun.i <= article.i:
        return None
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in noun.children):
        return None  # "a knowledge of", "a feedback of" are set phrases
    rest = doc[article.i + 1 : noun.i + 1].text
    return _finding(
        doc,
        article,
        noun,
        rest,
        f"{quote(noun.text)} is uncountable: no 'a' or 'an' before it.",
        f"{quoted(noun.text, '은/는')} 셀 수 없는 명사라서 {quoted('a/an', '을/를')} 붙이지 않습니다.",
    )


def _more_than_one(number: Token) -> bool:
    """ "two", "3", "twenty": a count above one (not "one", not a year such as "2020")."""
    if number.text.isdigit():
        return 1 < int(number.text) < 1000
    return number.like_num and number.lower_ not in ("one", "zero")


def _singular_after_plural(doc: Doc, noun: Token) -> Finding | None:
    """ "two brother" → "two brothers", "many student", "one of my friend", "a lot of friend"."""
    word = noun.lower_
    if noun.tag_ != "NN" or word not in COUNTABLE or word in _ALSO_MASS or noun.dep_ == "compound":
        return None
    if noun.i + 1 < len(doc) and doc[noun.i + 1].pos_ in ("NOUN", "PROPN") and doc[noun.i + 1].is_alpha:
        return None  # "a three day trip", "two bus stops"
    children = list(noun.children)
    number = next((c for c in children if c.dep_ == "nummod"), None)
    plural_det = next(
        (c for c in children if c.dep_ in ("amod", "det") and c.lower_ in _PLURAL_QUANTIFIERS), None
    )
    reason: str | None = None
    if number is not None and _more_than_one(number):
        reason = number.text
    elif plural_det is not None and plural_det.i == noun.left_edge.i:
        reason = plural_det.text
    elif noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lower_ in _PARTS_OF:
        owner = noun.head.head
        if owner.lower_ in ("lot", "lots") or any(c.dep_ in ("poss", "det") for c in children):
            reason = f"{owner.text} of"
    if reason is None:
        return None
    plural = _plural_of(word)
    if plural is None or plural == word:
        return None
    return _finding(
        doc,
        noun,
        noun,
        plural,
        f"After {quote(reason)}, the noun is plural: {quote(plural)}.",
        f"{quote(reason)} 뒤에는 복수 명사 {quoted(plural, '을/를')} 씁니다.",
    )


def _irregular(doc: Doc, noun: Token) -> Finding | None:
    plural = _IRREGULAR.get(noun.lower_)
    if plural is None or (noun.text[:1].isupper() and not noun.is_sent_start):
        return None  # "the Childs family" is a name
    if noun.lower_ == "peoples" and not (
        noun.i > 0 and doc[noun.i - 1].lower_ in ("many", "some", "most", "the")
    ):
        return None  # "the peoples of Asia" is right
    return _finding(
        doc,
        noun,
        noun,
        plural,
        f"The plural of this noun is irregular: {quote(plural)}.",
        f"이 명사의 복수형은 불규칙해서 {quoted(plural, '을/를')} 씁니다.",
    )


def _how_many_times(doc: Doc, how: Token) -> Finding | None:
    """ "How many times does it take" → "How much time" (an amount of time, not a number of times)."""
    if how.lower_ != "how" or how.i + 2 >= len(doc):
        return None
    many, times = doc[how.i + 1], doc[how.i + 2]
    if many.lower_ != "many" or times.lower_ != "times" or not any(t.lemma_ == "take" for t in how.sent):
        return None
    return _finding(
        doc,
        many,
        times,
        "much time",
        "An amount of time is 'how much time'; 'how many times' asks how often.",
        f"걸리는 시간은 {quoted('how much time', '으로/로')} 묻습니다. "
        f"{quoted('how many times', '은/는')} 횟수를 묻는 말입니다.",
    )


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix = (
            _how_many_times(doc, token)
            or _quantifier(doc, token)
            or _uncountable_plural(doc, token)
            or _article_uncountable(doc, token)
            or _irregular(doc, token)
            or _singular_after_plural(doc, token)
        )
        if fix is not None:
            found.append(fix)
    return found
