"""-ed and -ing adjectives: "-ed" for how a person feels, "-ing" for what makes them feel it.
"I am interesting in Korean history" → "interested", "The movie was so bored" → "boring", "an
amazed experience" → "an amazing experience".

A person with "-ing" is only changed when the sentence says it is a feeling: "feel"/"get" before it,
a preposition of feeling after it ("interested in", "excited about", "satisfied with", "tired
after"), or "I"/"we" with "so"/"very". "He is boring" and "Our teacher is very interesting" are right
and stay; so does "The movie is boring".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_EMOTIONS = words(
    """
    bore interest excite tire confuse shock surprise embarrass satisfy disappoint amaze exhaust annoy
    frighten relax depress frustrate amuse terrify fascinate thrill disgust overwhelm astonish irritate
    """
)
_PEOPLE_PRONOUNS = frozenset({"i", "we", "you", "he", "she", "they"})
_PEOPLE = words(
    """
    mom dad mother father parents friend friends teacher teachers student students brother sister boss
    everyone everybody people kids children man woman boy girl husband wife son daughter classmates
    grandmother grandfather baby family
    """
)
_FEELING_PREPOSITIONS = frozenset({"in", "about", "with", "by", "of", "at", "after", "during", "because"})
_FEEL_VERBS = frozenset({"feel", "get", "become", "look", "seem"})
_INTENSIFIERS = frozenset({"so", "very", "really", "too", "extremely", "quite", "super"})
_THINGS = words(
    """
    movie film game news lecture class book trip drama ending result results story show experience job
    work test exam concert party day weekend video song match performance speech view trip life lesson
    """
)


def _pair(word: str) -> tuple[str, str, str] | None:
    """(lemma, -ed form, -ing form) of an emotion verb form such as "boring" or "bored"."""
    lemma = morphology.verb_lemma(word)
    if lemma is None or lemma not in _EMOTIONS:
        return None
    ed, ing = morphology.participle(lemma), morphology.ing(lemma)
    if ed is None or ing is None:
        return None
    return lemma, ed, ing


def _is_person(subject: Token) -> bool:
    return subject.lower_ in _PEOPLE_PRONOUNS or subject.lower_ in _PEOPLE


def _is_thing(subject: Token) -> bool:
    word = subject.lower_
    return word in _THINGS or (word in ("it", "this", "that") and subject.tag_ in ("PRP", "DT"))


def _finding(doc: Doc, adj: Token, fixed: str, feeling: bool) -> Finding:
    if feeling:
        en = (
            f"For how a person feels, use {quote(fixed)}; "
            f"{quote(adj.text)} describes what causes the feeling."
        )
        ko = (
            f"사람이 느끼는 감정은 {quoted(fixed, '으로/로')} 씁니다. "
            f"{quoted(adj.text, '은/는')} 그런 감정을 주는 대상을 말할 때 씁니다."
        )
    else:
        en = f"For what causes a feeling, use {quote(fixed)}; {quote(adj.text)} is how a person feels."
        ko = (
            f"감정을 일으키는 대상에는 {quoted(fixed, '을/를')} 씁니다. "
            f"{quoted(adj.text, '은/는')} 사람이 느끼는 감정입니다."
        )
    return replace(doc, adj.i, adj.i, fixed, "participles", en, ko)


def _predicate(doc: Doc, adj: Token) -> Finding | None:
    """The adjective after "be"/"feel"/"get" judged by its subject."""
    pair = _pair(adj.lower_)
    if pair is None or (adj.dep_ not in ("acomp", "ROOT", "oprd", "xcomp") and adj.tag_ != "VBG"):
        return None
    _, ed, ing = pair
    verb = adj.head if adj.dep_ != "ROOT" else adj
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    if verb is adj:  # "I am satisfying with": the parser made "satisfying" the verb, "am" its auxiliary
        be = next((c for c in adj.children if c.dep_ == "aux" and c.lemma_ == "be"), None)
        if be is None:
            return None
        verb = be
    after = doc[adj.i + 1] if adj.i + 1 < len(doc) else None
    before = doc[adj.i - 1]
    if adj.lower_ == ing and _is_person(subject):
        cue = verb.lemma_ in _FEEL_VERBS
        cue = cue or (after is not None and after.lower_ in _FEELING_PREPOSITIONS)
        cue = cue or (subject.lower_ in ("i", "we") and before.lower_ in _INTENSIFIERS)
        return _finding(doc, adj, ed, feeling=True) if cue and verb.lemma_ in _FEEL_VERBS | {"be"} else None
    if adj.lower_ == ed and _is_thing(subject) and verb.lemma_ in ("be", "seem", "look", "sound"):
        if after is not None and after.lower_ in ("by", "with", "about", "in", "of", "at", "to"):
            return None  # a passive or a feeling after all: "The game was watched by"
        return _finding(doc, adj, ing, feeling=False)
    return None


def _attributive(doc: Doc, adj: Token) -> Finding | None:
    """ "an amazed experience" → "an amazing experience"."""
    pair = _pair(adj.lower_)
    if pair is None or adj.dep_ != "amod" or adj.lower_ != pair[1]:
        return None
    noun = adj.head
    if noun.lower_ not in _THINGS or noun.i <= adj.i:
        return None
    return _finding(doc, adj, pair[2], feeling=False)


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix = _predicate(doc, token) or _attributive(doc, token)
        if fix is not None:
            found.append(fix)
    return found
