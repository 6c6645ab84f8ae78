"""Commonly confused words: their/there, your/you're, its/it's, then/than, lose/loose, lend/borrow,
make/take a photo, make/do homework, say/tell someone, "very" before a verb.

Each rule looks at the words around (and the tags of) the confused word, so "Your welcome pack is
here" or "I want to make a photo album" stay as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quoted, replace
from framecast.tutor.checker.lexicon import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_BE = frozenset({"is", "are", "was", "were", "'s", "'re"})
_OBJECTS = frozenset({"me", "him", "her", "us", "them"})
_AFTER_ITS = words("a an the very so too raining snowing not going been my cold hot late time really getting")
_OWNED_BY_IT = frozenset({"own", "tail", "name", "color", "colour", "size", "eyes", "legs", "shape", "way"})
_LOSE_BEFORE = words("to will can do n't not might could would should may never i you we they he she")
_PHOTO = frozenset({"photo", "photos", "picture", "pictures", "selfie", "selfies"})
_VERY_VERBS = frozenset({"like", "love", "want", "enjoy", "hate", "need", "miss", "hope", "appreciate"})


IT_S = "it's"  # kept out of the f-string: Python 3.11 cannot nest its quote character


def _next(token: Token, k: int = 1) -> Token | None:
    i = token.i + k
    return token.doc[i] if 0 <= i < len(token.doc) else None


def _word(token: Token | None) -> str:
    return token.lower_ if token is not None else ""


def _fix(doc: Doc, token: Token, fixed: str, en: str, ko: str) -> Finding:
    if token.text[:1].isupper() and fixed[:1].islower():
        fixed = fixed[:1].upper() + fixed[1:]
    return replace(doc, token.i, token.i, fixed, "confusions", en, ko, type="vocabulary")


def _possessives(doc: Doc, token: Token) -> Finding | None:
    word, nxt, after = token.lower_, _next(token), _next(token, 2)
    if word == "their" and _word(nxt) in _BE:
        return _fix(
            doc,
            token,
            "there",
            "'There is/are' says something exists; 'their' means 'belonging to them'.",
            f"존재를 말할 때는 {quoted('there is/are', '을/를')} 씁니다. "
            f"{quoted('their', '은/는')} '그들의'라는 뜻입니다.",
        )
    if word == "your" and (
        _word(nxt) in ("going", "coming", "so", "very", "too", "not", "always", "right")
        or (_word(nxt) == "welcome" and (after is None or after.is_punct))
    ):
        return _fix(
            doc,
            token,
            "you're",
            "'You're' is 'you are'; 'your' means 'belonging to you'.",
            f"'you are'의 줄임말은 'you're'이고, {quoted('your', '은/는')} '너의'라는 뜻입니다.",
        )
    if word == "its" and _word(nxt) in _AFTER_ITS:
        return _fix(
            doc,
            token,
            "it's",
            "'It's' is 'it is'; 'its' means 'belonging to it'.",
            f"'it is'의 줄임말은 'it's'이고, {quoted('its', '은/는')} '그것의'라는 뜻입니다.",
        )
    if (
        word == "it"
        and _word(nxt) == "'s"
        and _word(after) in _OWNED_BY_IT
        and nxt is not None
        and after is not None
    ):
        return replace(
            doc,
            token.i,
            nxt.i,
            "its" if token.text.islower() else "Its",
            "confusions",
            "'Its' means 'belonging to it'; 'it's' is 'it is'.",
            f"'그것의'라는 뜻에는 {quoted('its', '을/를')} 씁니다. {quoted(IT_S, '은/는')} 'it is'입니다.",
            type="vocabulary",
        )
    return None


def _verbs(doc: Doc, token: Token) -> Finding | None:
    word, nxt = token.lower_, _next(token)
    lemma = morphology.verb_lemma(word)
    before = _next(token, -1)
    if word in ("loose", "looses") and (_word(before) in _LOSE_BEFORE):
        fixed = "loses" if word == "looses" else "lose"
        return _fix(
            doc,
            token,
            fixed,
            "'Lose' means to stop having something; 'loose' means 'not tight'.",
            f"'잃다'는 'lose'이고, {quoted('loose', '은/는')} '헐거운'이라는 뜻입니다.",
        )
    if (
        lemma == "lend"
        and token.pos_ == "VERB"
        and any(t.lower_ == "from" for t in doc[token.i + 1 : token.i + 6])
    ):
        borrow = morphology.inflect("borrow", token.tag_) if token.tag_ != "VB" else "borrow"
        if borrow:
            return _fix(
                doc,
                token,
                borrow,
                "You borrow something from someone; you lend it to someone.",
                f"남에게서 빌릴 때는 'borrow', 남에게 빌려줄 때는 {quoted('lend', '을/를')} 씁니다.",
            )
    asks = _word(before) == "i" and _word(_next(token, -2)) in ("can", "could", "may")
    if lemma == "lend" and asks and _word(nxt) in ("your", "his", "her", "their"):
        return _fix(
            doc,
            token,
            "borrow",
            "You borrow something from someone; you lend it to someone.",
            f"남에게서 빌릴 때는 'borrow', 남에게 빌려줄 때는 {quoted('lend', '을/를')} 씁니다.",
        )
    if lemma == "borrow" and _word(nxt) in _OBJECTS:
        lend = morphology.inflect("lend", token.tag_) if token.tag_ not in ("VB", "VBP") else "lend"
        if lend:
            return _fix(
                doc,
                token,
                lend,
                "You lend something to someone; you borrow it from someone.",
                f"남에게 빌려줄 때는 'lend', 남에게서 빌릴 때는 {quoted('borrow', '을/를')} 씁니다.",
            )
    if lemma == "make" and token.pos_ == "VERB":
        obj = next((c for c in token.children if c.dep_ == "dobj"), None)
        if obj is not None and obj.lower_ in _PHOTO and not any(c.dep_ == "compound" for c in obj.children):
            return _swap(
                doc,
                token,
                "take",
                "In English you 'take' a photo.",
                "영어에서는 사진을 'take'한다고 말합니다.",
            )
        if obj is not None and obj.lower_ == "homework":
            return _swap(
                doc, token, "do", "In English you 'do' homework.", "영어에서는 숙제를 'do'한다고 말합니다."
            )
    if lemma == "say" and token.pos_ == "VERB" and _word(nxt) in _OBJECTS:
        return _swap(
            doc,
            token,
            "tell",
            "Use 'tell' with a person as the object ('say' takes no person after it).",
            f"사람을 목적어로 쓸 때는 {quoted('say', '이/가')} 아니라 {quoted('tell', '을/를')} 씁니다.",
        )
    return None


def _swap(doc: Doc, token: Token, lemma: str, en: str, ko: str) -> Finding | None:
    """``token`` replaced by ``lemma`` in the same form ("made" → "took")."""
    fixed = lemma if token.tag_ in ("VB", "VBP") else morphology.inflect(lemma, token.tag_)
    if fixed is None:
        return None
    return _fix(doc, token, fixed, en, ko)


def _other(doc: Doc, token: Token) -> Finding | None:
    word, nxt, before = token.lower_, _next(token), _next(token, -1)
    compares = before is not None and (
        before.tag_ in ("JJR", "RBR") or before.lower_ in ("rather", "more", "less")
    )
    if word == "then" and compares and nxt is not None and not nxt.is_punct:
        return _fix(
            doc,
            token,
            "than",
            "Comparisons use 'than'; 'then' means 'after that'.",
            f"비교할 때는 {quoted('than', '을/를')} 씁니다. "
            f"{quoted('then', '은/는')} '그 다음에'라는 뜻입니다.",
        )
    verb_next = (
        nxt is not None and morphology.verb_lemma(nxt.lower_) in _VERY_VERBS and nxt.pos_ in ("VERB", "ADP")
    )
    if word == "very" and _word(before) in ("i", "you", "we", "they") and verb_next:
        return _fix(
            doc,
            token,
            "really",
            "'Very' cannot describe a verb: use 'really'.",
            f"{quoted('very', '은/는')} 동사를 꾸밀 수 없으므로 {quoted('really', '을/를')} 씁니다.",
        )
    return None


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix = _possessives(doc, token) or _verbs(doc, token) or _other(doc, token)
        if fix is not None:
            found.append(fix)
    return found
