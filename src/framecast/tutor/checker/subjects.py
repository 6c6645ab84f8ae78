"""A missing subject: Korean drops it, English needs one. "Is very cold today." → "It is very cold
today.", "Is my first time in Korea." → "It is", "I like this song because is very beautiful." →
"because it is".

Only "be" (and "takes"/"costs") with nothing before it is read, at the start of a statement (a
sentence ending in "?" is a question) or right after "because", "so", "when"... After "and"/"but"
the clause may share the subject ("My brother is a student and likes soccer"), so "it" is added
there only when the shared subject cannot be meant ("We tried the new place and was good") or the
predicate says something only a thing is ("but was closed").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words
from framecast.tutor.checker.syntax import person, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_BE = frozenset({"is", "was"})
_IMPERSONAL = frozenset({"takes", "took", "costs", "cost"})
_SUBORDINATORS = frozenset({"because", "so", "although", "though", "when", "if", "while", "as", "since"})
_COORDINATORS = frozenset({"and", "but"})
_THING_PREDICATES = words(
    """
    closed delicious expensive crowded cheap tasty empty open broken raining snowing spicy salty free
    sunny windy cloudy
    """
)
_SUBJECT_WORDS = words(
    "it there this that he she they you we i anyone everyone someone anybody everybody somebody"
)
_EN = "English needs a subject here; for weather, time or a situation it is 'it': {}."
_KO = (
    "영어 문장에는 주어가 필요합니다. "
    f"날씨, 시간, 상황을 말할 때는 {quoted('it', '을/를')} 주어로 씁니다: {{}}."
)


def _predicate(verb: Token) -> Token | None:
    head = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    if head.i != verb.i:
        return head
    return next((c for c in verb.children if c.dep_ in ("acomp", "attr") and c.i > verb.i), None)


def _insert_it(doc: Doc, verb: Token) -> Finding:
    fixed = f"it {verb.text.lower() if verb.is_sent_start else verb.text}"
    rest = []
    for token in doc[verb.i + 1 : verb.i + 5]:
        if token.is_punct:
            break
        rest.append(token.text)
    example = " ".join([fixed, *rest])
    example = f"{example[:1].upper()}{example[1:]}" if verb.is_sent_start else example
    return replace(
        doc, verb.i, verb.i, fixed, "missing_subject", _EN.format(quote(example)), _KO.format(quote(example))
    )


def _sentence_start(doc: Doc, verb: Token) -> Finding | None:
    sentence = verb.sent
    if not verb.is_sent_start or sentence[-1].text == "?" or verb.lower_ not in _BE | _IMPERSONAL:
        return None
    nxt = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
    if nxt is None or nxt.lower_ in _SUBJECT_WORDS or nxt.tag_ in ("NNP", "NNPS"):
        return None
    clause = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    children = list(clause.children)
    subject = next((c for c in children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
    has_predicate = any(c.dep_ in ("acomp", "attr", "oprd") for c in children)
    if subject is not None and (
        has_predicate or subject.i < verb.i or any(c.dep_ == "appos" for c in subject.children)
    ):
        return None  # "Is your sister a doctor." is a question without its question mark
    if verb.lower_ in _IMPERSONAL and not any(c.dep_ in ("dobj", "npadvmod", "attr") for c in children):
        return None
    return _insert_it(doc, verb)


def _after_conjunction(doc: Doc, verb: Token) -> Finding | None:
    if verb.i == 0 or verb.lower_ not in _BE:
        return None
    before = doc[verb.i - 1]
    if before.lower_ not in _SUBORDINATORS | _COORDINATORS or subject_of(verb) is not None:
        return None
    if before.lower_ in _COORDINATORS:
        predicate = _predicate(verb)
        main = before.head
        shared = subject_of(main) if main.pos_ in ("VERB", "AUX") else None
        mismatch = shared is not None and person(shared) in ("pl", "1sg") and verb.lower_ == "is"
        mismatch = mismatch or (shared is not None and person(shared) == "pl" and verb.lower_ == "was")
        thing = predicate is not None and predicate.lower_ in _THING_PREDICATES
        if not (mismatch or thing):
            return None
    return _insert_it(doc, verb)


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix = _sentence_start(doc, token) or _after_conjunction(doc, token)
        if fix is not None:
            found.append(fix)
    return found
