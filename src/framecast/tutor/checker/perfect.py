"""The present perfect with "since" and "for": "I live here since 2020" → "I have lived here",
"I am here for three years" → "I have been here", "I don't see her since the wedding" → "I haven't
seen her".

"since" is read as time only before a noun phrase or a past clause ("since he was ten"), so causal
"since" stays alone ("Since you're here, let's start"). With "for", only long spans (months, years,
"a long time") count and only without a habit or a plan in the clause: "I usually study for two hours
every night" and "I'm staying here for three days" are right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words
from framecast.tutor.checker.syntax import auxiliaries, governing_verb, person_of_verb, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_LONG = frozenset({"month", "months", "year", "years", "decade", "decades", "ages", "time", "while"})
_NOT_PERFECT = words(
    """
    usually always often sometimes every each normally generally tomorrow next will now currently going
    plan
    """
)
_NEGATIVE_HAVE = {"pl": "haven't", "1sg": "haven't", "3sg": "hasn't"}


def _since_verb(since: Token) -> Token | None:
    if since.dep_ == "prep" and any(c.dep_ == "pobj" for c in since.children):
        return governing_verb(since)
    if since.dep_ == "mark":
        clause = since.head
        if clause.tag_ == "VBD" and not auxiliaries(clause) and clause.dep_ == "advcl":
            return clause.head if clause.head.pos_ in ("VERB", "AUX") else None
    return None


def _for_verb(prep: Token) -> Token | None:
    noun = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if noun is None or noun.lower_ not in _LONG:
        return None
    counted = [c for c in noun.children if c.dep_ in ("nummod", "det", "amod")]
    if noun.lower_ in ("time", "while") and not any(c.lower_ == "long" for c in counted):
        return None  # "for a while" may be a plan; "for a long time" is a span up to now
    if not counted and noun.lower_ != "ages":
        return None
    return governing_verb(prep)


def _habitual(verb: Token) -> bool:
    return any(t.lower_ in _NOT_PERFECT for c in verb.children for t in c.subtree) or any(
        a.tag_ == "MD" for a in auxiliaries(verb)
    )


def _fix(verb: Token, marker: Token, allow_progressive: bool) -> Finding | None:
    doc = verb.doc
    subject = subject_of(verb)
    who = person_of_verb(verb)
    if subject is None or who is None or _habitual(verb):
        return None
    have = "has" if who == "3sg" else "have"
    auxes = auxiliaries(verb)
    lemma = morphology.verb_lemma(verb.lower_)
    if lemma is None:
        return None
    words = [a.lower_ for a in auxes]
    if not auxes and verb.lower_ in ("am", "is", "are", "'m", "'re", "'s"):
        first, new = verb, f"{have} been"
    elif (
        not auxes
        and verb.tag_ in ("VBP", "VBZ", "VB")
        and verb.lower_ in (lemma, morphology.third_person(lemma))
    ):
        part = morphology.participle(lemma)
        if part is None:
            return None
        first, new = verb, f"{have} {part}"
    elif words in (["do"], ["does"]) and verb.tag_ == "VB":
        neg = doc[auxes[0].i + 1]
        part = morphology.participle(lemma)
        if part is None or neg.lower_ not in ("n't", "not"):
            return None
        first, new = (
            auxes[0],
            f"{_NEGATIVE_HAVE[who]} {part}" if neg.lower_ == "n't" else f"{have} not {part}",
        )
    elif allow_progressive and words in (["am"], ["is"], ["are"]) and verb.tag_ == "VBG":
        first, new = auxes[0], f"{have} been {verb.text}"
    else:
        return None
    if first.text.startswith("'"):
        first = doc[first.i - 1]
        new = f"{first.text} {new}"  # "I'm" → "I have been"
    span_text = f"{quote(marker.text + ' ' + _object(marker))}"
    en = f"With {span_text}, the situation continues up to now: use the present perfect {quote(new)}."
    ko = f"{span_text}처럼 지금까지 이어지는 일에는 현재완료 {quoted(new, '을/를')} 씁니다."
    return replace(doc, first.i, verb.i, new, "since_for", en, ko)


def _object(marker: Token) -> str:
    doc = marker.doc
    rest = (
        doc[marker.i + 1 : marker.right_edge.i + 1].text
        if marker.dep_ == "prep"
        else doc[marker.i + 1 : marker.head.right_edge.i + 1].text
    )
    return rest.rstrip(" .!?,")


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        if token.lower_ == "since":
            verb, progressive = _since_verb(token), True
        elif token.lower_ == "for" and token.dep_ == "prep":
            verb, progressive = _for_verb(token), False
        else:
            continue
        if verb is not None:
            fix = _fix(verb, token, progressive)
            if fix is not None:
                found.append(fix)
    return found
