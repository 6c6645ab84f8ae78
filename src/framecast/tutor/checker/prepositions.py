"""Prepositions Korean learners often choose wrong: "discuss about" → "discuss", "arrive to" → "arrive
in/at", "married with" → "married to", "go to home" → "go home", "in Monday" → "on Monday", "at 2020"
→ "in 2020", "listen music" → "listen to music", "wait me" → "wait for me", "explained me the
rules" → "explained the rules to me".

Each pair is looked up by the word's lemma and checked in the parse (the preposition must belong to
that word), so "enter into an agreement" or "good in an emergency" are not touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# (lemma of the word, its wrong preposition) → the right one; "" drops it.
_PAIRS: dict[tuple[str, str], str] = {
    ("depend", "of"): "on",
    ("depend", "from"): "on",
    ("interested", "about"): "in",
    ("interested", "on"): "in",
    ("interested", "for"): "in",
    ("afraid", "from"): "of",
    ("scared", "from"): "of",
    ("proud", "for"): "of",
    ("responsible", "of"): "for",
    ("consist", "from"): "of",
    ("discuss", "about"): "",
    ("emphasize", "on"): "",
    ("mention", "about"): "",
    ("contact", "with"): "",
    ("reach", "to"): "",
    ("attend", "to"): "",
    ("call", "to"): "",
}
_DROP_BEFORE_PLACE = frozenset({"enter"})
_ROOMS = words(
    "room classroom house building office store shop restaurant cafe school hall kitchen bedroom station "
    "library museum"
)
_SKILLS = words(
    "math maths english sports science cooking singing dancing swimming drawing music history art tennis "
    "soccer football games korean languages"
)
_DAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_MONTHS = words("january february march april may june july august september october november december")
_MOVE_HOME = frozenset({"go", "come", "return", "get", "head", "walk", "drive", "run", "hurry", "fly"})
_DATIVE_WRONG = frozenset({"explain", "describe", "suggest", "introduce", "announce"})
_WAIT_UNITS = frozenset(
    {"minute", "minutes", "hour", "hours", "while", "moment", "second", "seconds", "day", "days"}
)


def _fix(doc: Doc, first: Token, last: Token, fixed: str, right: str, word: str) -> Finding:
    if right:
        en = f"After {quote(word)}, the preposition is {quote(right)}."
        ko = f"{quote(word)} 뒤에는 전치사 {quoted(right, '을/를')} 씁니다."
    else:
        en = f"{quote(word)} takes its object directly, without a preposition."
        ko = f"{quoted(word, '은/는')} 전치사 없이 목적어를 바로 씁니다."
    return replace(doc, first.i, last.i, fixed, "prepositions", en, ko)


def _pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def _pair(doc: Doc, prep: Token) -> Finding | None:
    """A (word, preposition) pair of the table; the word is the one before the preposition (its head
    in the parse, or an adjective the parser hung elsewhere: "I'm good in math")."""
    if prep.dep_ != "prep" or prep.i == 0:
        return None
    head = doc[prep.i - 1]
    if head.dep_ == "prt" and prep.i >= 2:
        head = doc[prep.i - 2]
    if head.pos_ not in ("VERB", "ADJ", "AUX") or not (prep.head.i == head.i or head.pos_ == "ADJ"):
        return None
    lemma = head.lemma_.lower()
    key = next((k for k in ((lemma, prep.lower_), (head.lower_, prep.lower_)) if k in _PAIRS), None)
    noun = _pobj(prep)
    word = head.text
    if key is not None:
        right = _PAIRS[key]
        if key[0] in ("interested", "afraid", "scared", "proud", "responsible") and head.pos_ not in (
            "ADJ",
            "VERB",
        ):
            return None
    elif lemma in ("marry", "married") and prep.lower_ == "with":
        passive = any(c.dep_ in ("auxpass", "aux") for c in head.children) or head.pos_ == "ADJ"
        if not passive and not (head.i > 0 and doc[head.i - 1].lemma_ in ("be", "get")):
            return _fix(doc, head, prep, head.text, "", word)  # "She married with a doctor"
        right = "to"
    elif lemma in ("good", "bad", "great", "better", "worse") and prep.lower_ == "in" and noun is not None:
        if noun.lower_ not in _SKILLS and noun.tag_ != "VBG":
            return None
        right = "at"
    elif lemma == "arrive" and prep.lower_ == "to" and noun is not None:
        if noun.lower_ == "home":
            return _fix(doc, head, prep, head.text, "", word)
        right = "in" if noun.tag_ == "NNP" else "at"
    elif lemma in _DROP_BEFORE_PLACE and prep.lower_ == "into" and noun is not None and noun.lower_ in _ROOMS:
        right = ""
    else:
        return None
    if right:
        return _fix(doc, prep, prep, right, right, word)
    return _fix(doc, head, prep, doc[head.i : prep.i].text.rstrip(), "", word)


def _to_home(doc: Doc, prep: Token) -> Finding | None:
    """ "go to home" → "go home" (also "go back to home")."""
    noun = _pobj(prep)
    if prep.lower_ != "to" or noun is None or noun.lower_ != "home" or noun.i != prep.i + 1:
        return None
    if any(c.dep_ in ("det", "poss", "amod", "compound") for c in noun.children):
        return None  # "go to my home", "go to the home of a friend"
    head = prep.head
    verb = head if head.pos_ == "VERB" else head.head
    if verb.lemma_ not in _MOVE_HOME:
        return None
    return replace(
        doc,
        prep.i,
        noun.i,
        noun.text,
        "prepositions",
        "'home' takes no 'to' after a verb of movement: 'go home'.",
        f"이동 동사 뒤의 'home'에는 {quoted('to', '을/를')} 쓰지 않습니다: 'go home'.",
    )


def _time(doc: Doc, prep: Token) -> Finding | None:
    """ "in Monday" → "on Monday", "in May 5th" → "on May 5th", "at 2020" → "in 2020"."""
    noun = _pobj(prep)
    word = prep.lower_
    if noun is None or word not in ("in", "at", "on"):
        return None
    names = [t.lower_ for t in doc[prep.i + 1 : noun.i + 1]]
    if word in ("in", "at") and names and names[0] in _DAYS:
        right, en = "on", "Days take 'on': 'on Monday'."
        ko = f"요일 앞에는 {quoted('on', '을/를')} 씁니다: 'on Monday'."
    elif word in ("in", "at") and names and names[0] in _MONTHS and len(names) > 1 and names[1][:1].isdigit():
        right, en = "on", "Dates take 'on': 'on May 5th'."
        ko = f"날짜 앞에는 {quoted('on', '을/를')} 씁니다: 'on May 5th'."
    elif word in ("at", "on") and noun.like_num and len(noun.text) == 4 and noun.text.isdigit():
        right, en = "in", "Years take 'in': 'in 2020'."
        ko = f"연도 앞에는 {quoted('in', '을/를')} 씁니다: 'in 2020'."
    elif word == "in" and names[-1:] == ["weekend"] and names[0] in ("the", "this"):
        right, en = "on", "'the weekend' takes 'on' (British English: 'at')."
        ko = f"'the weekend' 앞에는 {quoted('on', '을/를')} 씁니다 (영국식은 'at')."
    else:
        return None
    return replace(doc, prep.i, prep.i, right, "prepositions", en, ko)


def _missing(doc: Doc, verb: Token) -> Finding | None:
    """ "listen music" → "listen to music", "wait me" → "wait for me", "graduated university" →
    "graduated from university"."""
    obj = next((c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i > verb.i), None)
    if obj is None or obj.left_edge.i != verb.i + 1:
        return None
    lemma = verb.lemma_
    if lemma == "listen":
        right = "to"
    elif lemma == "wait" and obj.lower_ not in _WAIT_UNITS and obj.pos_ in ("PRON", "PROPN", "NOUN"):
        if any(c.dep_ == "nummod" for c in obj.children):
            return None
        right = "for"
    elif lemma == "graduate":
        right = "from"
    else:
        return None
    first = doc[obj.left_edge.i]
    return replace(
        doc,
        first.i,
        first.i,
        f"{right} {first.text}",
        "prepositions",
        f"{quote(lemma)} needs {quote(right)} before its object: {quote(lemma + ' ' + right)}.",
        f"{quoted(lemma, '은/는')} 목적어 앞에 {quoted(right, '이/가')} 필요합니다.",
    )


def _dative(doc: Doc, verb: Token) -> Finding | None:
    """ "She explained me the rules" → "She explained the rules to me"."""
    if verb.lemma_ not in _DATIVE_WRONG:
        return None
    person = next((c for c in verb.children if c.dep_ == "dative" and c.i == verb.i + 1), None)
    thing = next(
        (c for c in verb.children if c.dep_ == "dobj" and person is not None and c.i > person.i), None
    )
    if person is None or thing is None or person.pos_ != "PRON":
        return None
    obj = doc[thing.left_edge.i : thing.right_edge.i + 1].text
    fixed = f"{obj} to {person.text}"
    return replace(
        doc,
        person.i,
        thing.right_edge.i,
        fixed,
        "prepositions",
        f"{quote(verb.lemma_)} puts the person after 'to': {quote(verb.text + ' ' + fixed)}.",
        f"{quoted(verb.lemma_, '은/는')} 사람을 'to' 뒤에 씁니다: {quote(verb.text + ' ' + fixed)}.",
    )


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix: Finding | None = None
        if token.dep_ == "prep" or token.tag_ == "IN":
            fix = _to_home(doc, token) or _time(doc, token) or _pair(doc, token)
        elif token.pos_ == "VERB":
            fix = _missing(doc, token) or _dative(doc, token)
        if fix is not None:
            found.append(fix)
    return found
