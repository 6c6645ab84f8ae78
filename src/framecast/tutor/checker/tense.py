"""Tense with time markers: a finished past time ("yesterday", "last year", "three days ago", "in
2019", "When I was a child, ...") wants the simple past, and a present perfect after "have" wants
the past participle: "Yesterday I go" → "went", "I have went to Seoul last year" → "I went",
"I have went to Japan twice" → "I have gone", "She has wrote" → "has written".

Only the verb the time phrase belongs to in the parse (and verbs joined to it by "and" with the same
subject) is changed, so a clause inside it keeps its own tense ("She told me yesterday that she
likes her new job"). A present or habitual marker in the same clause ("now", "every day") leaves the
verb alone.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words
from framecast.tutor.checker.syntax import (
    auxiliaries,
    changed_span,
    conjoined,
    governing_verb,
    person_of_verb,
    phrase,
    rewrite,
    subject_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_LAST = words(
    """
    night week month year summer winter spring fall autumn weekend semester time monday tuesday
    wednesday thursday friday saturday sunday
    """
)
# A marker of the present, the future or a habit in the same clause cancels the past marker.
_NOT_PAST = words(
    """
    now today tonight tomorrow usually always often sometimes every nowadays currently still next
    normally generally
    """
)
_NOT_PAST_BEFORE = frozenset({"since", "for", "until", "till", "by", "from", "over", "within"})
_DO = {"do": "did", "does": "did"}


def _marker_verb(doc: Doc, token: Token) -> Token | None:
    """The verb a finished-past time phrase at ``token`` belongs to, or None if ``token`` is none."""
    word = token.lower_
    if word == "yesterday" and token.head.lower_ not in _NOT_PAST_BEFORE | {"since"}:
        return governing_verb(token)
    if word == "ago" and token.dep_ == "advmod":
        return governing_verb(token)
    if word in _LAST and any(c.lower_ == "last" and c.dep_ == "amod" for c in token.children):
        if any(c.dep_ == "det" for c in token.children) or token.head.lower_ in _NOT_PAST_BEFORE:
            return None  # "for the last three years", "since last year"
        return governing_verb(token)
    if token.like_num and len(token.text) == 4 and token.dep_ == "pobj" and token.head.lower_ == "in":
        year = int(token.text) if token.text.isdigit() else 0
        if 1900 <= year < date.today().year:
            return governing_verb(token)
    if word == "when" and token.dep_ == "advmod" and token.head.dep_ == "advcl":
        inner = token.head
        if inner.tag_ == "VBD" and not auxiliaries(inner):
            return inner.head if inner.head.pos_ in ("VERB", "AUX") else None
    return None


def _cancelled(verb: Token) -> bool:
    return any(t.lower_ in _NOT_PAST for c in verb.children if c.dep_ != "conj" for t in c.subtree)


def _past_fix(verb: Token, marker: Token) -> Finding | None:
    """``verb`` (and its auxiliaries) in the simple past, when it is in a present form."""
    doc = verb.doc
    auxes = auxiliaries(verb)
    if any(a.tag_ == "MD" for a in auxes) or (not auxes and subject_of(verb) is None and verb.dep_ != "conj"):
        return None
    lemma = morphology.verb_lemma(verb.lower_)
    if lemma is None:
        return None
    who = person_of_verb(verb)
    was = "were" if who == "pl" else "was"
    words = [a.lower_ for a in auxes]
    changes: dict[int, str] = {}
    first = auxes[0] if auxes else verb
    if words and words[0] in ("have", "has", "'ve") and verb.tag_ in ("VBN", "VBD") and len(auxes) == 1:
        if verb.lower_ == "been":
            to_place = any(c.dep_ == "prep" and c.lower_ == "to" for c in verb.children)
            new = "went" if to_place else was if who is not None else None
        else:
            new = morphology.past(lemma)
        if new is None:
            return None
        changes = {auxes[0].i: "", verb.i: new}
        if first.text.startswith("'"):
            return None  # "I've been there yesterday": leave the contraction to the learner
    elif words and words[0] in _DO and verb.tag_ == "VB":
        changes = {auxes[0].i: "did" if auxes[0].text.islower() else "Did"}
    elif words and words[0] in ("am", "is", "are") and verb.tag_ == "VBG" and who is not None:
        changes = {auxes[0].i: was}
    elif not auxes and verb.lower_ in ("am", "is", "are") and who is not None:
        changes = {verb.i: was}
    elif not auxes and verb.tag_ in ("VBP", "VBZ", "VB") and lemma != "be":
        new = morphology.past(lemma)
        if new is None or verb.lower_ not in (lemma, morphology.third_person(lemma)):
            return None
        changes = {verb.i: new}
    else:
        return None
    lo, hi = changed_span(first, verb, changes)
    fixed = rewrite(lo, hi, changes)
    time = _time_phrase(marker)
    en = f"{quote(time)} is a finished time: use the simple past {quote(fixed)}."
    ko = f"{quote(time)}처럼 끝난 과거 시점에는 과거형 {quoted(fixed, '을/를')} 씁니다."
    return replace(doc, lo.i, hi.i, fixed, "tense", en, ko)


def _time_phrase(marker: Token) -> str:
    """The time phrase around a marker word: "three days ago", "last year", "when I was a child"."""
    if marker.lower_ == "ago":
        return phrase(marker)
    if marker.lower_ == "when":
        return phrase(marker.head)
    if marker.like_num:
        return f"in {marker.text}"
    return phrase(marker)


def _participle(doc: Doc) -> list[Finding]:
    """ "have went" → "have gone", "has wrote" → "has written": a past form after "have"."""
    found: list[Finding] = []
    for verb in doc:
        auxes = auxiliaries(verb)
        if not auxes or auxes[-1].lemma_ != "have" or auxes[-1].tag_ == "VBN":
            continue
        lemma = morphology.verb_lemma(verb.lower_)
        if lemma is None or lemma == "be":
            continue
        part, past = morphology.participle(lemma), morphology.past(lemma)
        if part is None or verb.lower_ != past or part == past:
            continue
        found.append(
            replace(
                doc,
                verb.i,
                verb.i,
                part,
                "tense",
                f"After {quote(auxes[-1].text)}, use the past participle {quote(part)}, "
                f"not the past {quote(verb.text)}.",
                f"{quote(auxes[-1].text)} 뒤에는 과거형 {quoted(verb.text, '이/가')} 아니라 "
                f"과거분사 {quoted(part, '을/를')} 씁니다.",
            )
        )
    return found


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    seen: set[int] = set()
    for token in doc:
        verb = _marker_verb(doc, token)
        if verb is None or _cancelled(verb):
            continue
        for v in conjoined(verb):
            if v.i in seen:
                continue
            seen.add(v.i)
            fix = _past_fix(v, token)
            if fix is not None:
                found.append(fix)
    return found + _participle(doc)
