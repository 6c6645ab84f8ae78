"""Comparatives and superlatives: "more better" → "better", "more cheaper" → "cheaper", "more big
than" → "bigger than", "the most cheap" → "the cheapest", "gooder" → "better", and "than" where a
comparison has "then", "that" or "as" ("taller then me", "more interesting that my old one").

"more" + adjective is only changed for adjectives that take -er and not "more" (one syllable, or
two ending in -y from a list), and only before "than" or after "the most": "more careful" stays.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_WRONG_FORMS = {
    "gooder": "better",
    "goodest": "best",
    "badder": "worse",
    "baddest": "worst",
    "worser": "worse",
    "worsest": "worst",
    "bestest": "best",
    "betterer": "better",
}
_Y_ADJECTIVES = words(
    """
    easy happy busy heavy funny early lazy pretty dirty angry noisy sunny tiny crazy scary lucky tasty
    spicy ugly silly hungry salty cloudy windy rainy
    """
)
# One-syllable adjectives that still go with "more": "more real", "more wrong".
_MORE_ANYWAY = frozenset(
    {"real", "wrong", "right", "fun", "tired", "like", "free", "sure", "bored", "pleased"}
)
_VOWELS = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    stem = word[:-1] if word.endswith("e") and not word.endswith(("le", "ee")) else word
    return len(_VOWELS.findall(stem)) or 1


def _takes_er(adjective: str) -> bool:
    word = adjective.lower()
    if word in _MORE_ANYWAY or word.endswith(("ed", "ing")):
        return False
    return _syllables(word) == 1 or word in _Y_ADJECTIVES


def _next(token: Token, k: int = 1) -> Token | None:
    i = token.i + k
    return token.doc[i] if 0 <= i < len(token.doc) else None


def _is_comparative(token: Token) -> bool:
    word = token.lower_
    return (token.tag_ in ("JJR", "RBR") and word not in ("more", "less")) or word in _WRONG_FORMS


def _double(doc: Doc, more: Token) -> Finding | None:
    """ "more better" → "better", "most smartest" → "smartest", "most beautifulest" → "most beautiful"."""
    adj = _next(more)
    if adj is None or more.lower_ not in ("more", "most"):
        return None
    word = adj.lower_
    base = word[:-3] if word.endswith("est") else word[:-2] if word.endswith("er") else ""
    if (
        more.lower_ == "most"
        and word.endswith("est")
        and not morphology.lemmas(word, "ADJ")
        and len(base) > 4
    ):
        fixed = f"most {base}"  # "most beautifulest": not a word
    elif word in _WRONG_FORMS:
        fixed = _WRONG_FORMS[word]
    elif (
        adj.tag_ in ("JJR", "JJS", "RBR", "RBS")
        and morphology.lemmas(word, "ADJ")
        and word not in ("more", "most", "less", "least")
    ):
        lemma = morphology.lemmas(word, "ADJ")[0]
        if morphology.inflect(lemma, "JJR") != word and morphology.inflect(lemma, "JJS") != word:
            return None
        fixed = adj.text
    else:
        return None
    return replace(
        doc,
        more.i,
        adj.i,
        fixed,
        "comparatives",
        f"{quote(adj.text)} is already a comparison: say {quote(fixed)}, without {quote(more.text)}.",
        f"{quoted(adj.text, '은/는')} 이미 비교 표현이므로 {quote(more.text)} 없이 "
        f"{quoted(fixed, '을/를')} 씁니다.",
    )


def _more_short(doc: Doc, more: Token) -> Finding | None:
    """ "more big than" → "bigger than"; "the most cheap" → "the cheapest"."""
    adj = _next(more)
    if adj is None or adj.tag_ != "JJ" or not _takes_er(adj.lower_):
        return None
    if more.lower_ == "more":
        after = _next(adj)
        if after is None or after.lower_ != "than":
            return None
        form, kind_en, kind_ko = morphology.inflect(adj.lower_, "JJR"), "comparative", "비교급"
    elif more.lower_ == "most":
        before = _next(more, -1)
        if before is None or before.lower_ != "the":
            return None
        form, kind_en, kind_ko = morphology.inflect(adj.lower_, "JJS"), "superlative", "최상급"
    else:
        return None
    if form is None:
        return None
    return replace(
        doc,
        more.i,
        adj.i,
        form,
        "comparatives",
        f"A short adjective makes its {kind_en} with -er/-est: {quote(form)}, "
        f"not {quote(more.text + ' ' + adj.text)}.",
        f"짧은 형용사의 {kind_ko}은 -er/-est로 만듭니다: {quoted(form, '을/를')} 씁니다.",
    )


def _than(doc: Doc, token: Token) -> Finding | None:
    """ "taller then me", "more interesting that my old one", "more difficult as Japanese" → "than"."""
    word = token.lower_
    if word not in ("then", "that", "as") or token.i == 0:
        return None
    before = doc[token.i - 1]
    compared = _is_comparative(before) or (
        token.i >= 2 and doc[token.i - 2].lower_ in ("more", "less") and before.tag_ in ("JJ", "RB")
    )
    if not compared:
        return None
    rest = doc[token.i + 1 :]
    if word == "that" and any(t.pos_ in ("VERB", "AUX") for t in rest):
        return None  # "It is better that you go": a clause, not a comparison
    if word == "as" and any(t.lower_ == "as" for t in doc[max(0, token.i - 4) : token.i - 1]):
        return None  # "as big as"
    if not rest or rest[0].is_punct:
        return None
    return replace(
        doc,
        token.i,
        token.i,
        "than",
        "comparatives",
        f"A comparison takes 'than', not {quote(token.text)}.",
        f"비교할 때는 {quoted(token.text, '이/가')} 아니라 {quoted('than', '을/를')} 씁니다.",
    )


def _wrong_form(doc: Doc, token: Token) -> Finding | None:
    word = token.lower_
    if word not in _WRONG_FORMS or (token.i > 0 and doc[token.i - 1].lower_ in ("more", "most")):
        return None
    fixed = _WRONG_FORMS[word]
    return replace(
        doc,
        token.i,
        token.i,
        fixed,
        "comparatives",
        f"The comparison of this adjective is irregular: {quote(fixed)}.",
        f"이 형용사의 비교 형태는 불규칙해서 {quoted(fixed, '을/를')} 씁니다.",
    )


# Wholes a superlative picks one out of ("the tallest in my class"); "in the story" is no group.
_GROUPS = words("class school world family team city country town company office group club university")


def _is_group(prep: Token) -> bool:
    return any(c.dep_ == "pobj" and (c.lower_ in _GROUPS or c.pos_ == "PROPN") for c in prep.children)


def _the_er_in(doc: Doc, token: Token) -> Finding | None:
    """ "the taller student in my class" → "the tallest": one of a group named by "in" is a
    superlative ("the taller of the two" stays)."""
    if token.tag_ != "JJR" or token.dep_ != "amod" or token.i == 0 or doc[token.i - 1].lower_ != "the":
        return None
    noun = token.head
    if noun.pos_ != "NOUN" or not any(
        _is_group(c) for c in noun.children if c.dep_ == "prep" and c.lower_ == "in"
    ):
        return None
    lemma = next(iter(morphology.lemmas(token.lower_, "ADJ")), None)
    form = morphology.inflect(lemma, "JJS") if lemma is not None else None
    if form is None or form == token.lower_:
        return None
    return replace(
        doc,
        token.i,
        token.i,
        form,
        "comparatives",
        f"One of a whole group is picked out with the superlative: {quote('the ' + form)}.",
        f"집단 안에서 가장 그런 하나를 말할 때는 최상급 {quoted('the ' + form, '을/를')} 씁니다.",
    )


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix = (
            _double(doc, token)
            or _more_short(doc, token)
            or _than(doc, token)
            or _wrong_form(doc, token)
            or _the_er_in(doc, token)
        )
        if fix is not None:
            found.append(fix)
    return found
