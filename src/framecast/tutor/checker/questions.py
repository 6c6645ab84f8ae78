"""Word order in direct wh-questions: the auxiliary before the subject ("Where you are going?" →
"Where are you going?"), and "do"/"does"/"did" when there is none ("What you did yesterday?" →
"What did you do yesterday?", "What time the movie starts?" → "What time does the movie start?").

Only a sentence that ends with "?" and starts with a question word is read, and a question about the
subject keeps its order ("Who called you?", "Which bus goes to City Hall?").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.syntax import auxiliaries, person, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

WH = frozenset({"what", "where", "when", "why", "how", "who", "whom", "which", "whose"})
_BE = frozenset({"am", "is", "are", "was", "were"})


def _question_parts(sentence: Span) -> tuple[Token, Token, Token] | None:
    """The question word, the clause's verb and its subject, when the subject comes after the
    question phrase and before the verb (the order of a statement)."""
    words = [t for t in sentence if not t.is_punct]
    if sentence[-1].text != "?" or not words or words[0].lower_ not in WH:
        return None
    wh, verb = words[0], sentence.root
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    subject = subject_of(verb)
    if subject is None or subject.i < wh.i or subject.i > verb.i:
        return None
    inside = sentence.doc[subject.left_edge.i : subject.right_edge.i + 1]
    if any(t.lower_ in WH for t in inside) or subject.lower_ in WH:
        return None  # a question about the subject: "Which bus goes to City Hall?"
    node = wh
    while node.head.i != node.i and node.head.i != verb.i:
        node = node.head
    if node.head.i != verb.i:
        return None  # the question word belongs to another clause
    return wh, verb, subject


def _finding(doc: Doc, first: Token, last: Token, fixed: str, en: str, ko: str) -> Finding:
    return replace(doc, first.i, last.i, fixed, "questions", en, ko)


def _fix(doc: Doc, verb: Token, subject: Token) -> Finding | None:
    start, end = subject.left_edge, subject.right_edge
    said = doc[start.i : end.i + 1].text
    auxes = auxiliaries(verb)
    if auxes:
        aux = auxes[0]
        if aux.i < subject.i or aux.i != end.i + 1:
            return None
        last = doc[aux.i + 1] if aux.i + 1 < len(doc) and doc[aux.i + 1].lower_ == "n't" else aux
        moved = doc[aux.i : last.i + 1].text
        fixed = f"{moved} {said}"
        en = f"In a question, the auxiliary comes before the subject: {quote(fixed)}."
        ko = f"의문문에서는 조동사를 주어 앞에 씁니다: {quote(fixed)}."
        return _finding(doc, start, last, fixed, en, ko)
    if verb.i != end.i + 1:
        return None
    if verb.lower_ in _BE:
        fixed = f"{verb.text} {said}"
        en = f"In a question, 'be' comes before the subject: {quote(fixed)}."
        ko = f"의문문에서는 be동사를 주어 앞에 씁니다: {quote(fixed)}."
        return _finding(doc, start, verb, fixed, en, ko)
    lemma = morphology.verb_lemma(verb.lower_)
    if lemma is None or lemma == "be" or verb.tag_ not in ("VBZ", "VBP", "VBD", "VB"):
        return None
    if morphology.is_verb_form(verb.lower_, "VBD") and verb.lower_ != lemma:
        do = "did"
    elif verb.lower_ == lemma:
        do = "does" if person(subject) == "3sg" else "do"
    elif verb.lower_ == morphology.third_person(lemma):
        do = "does"
    else:
        return None
    fixed = f"{do} {said} {lemma}"
    en = f"A question with a main verb needs {quote(do)} before the subject: {quote(fixed)}."
    ko = f"일반동사 의문문에는 주어 앞에 {quoted(do, '을/를')} 씁니다: {quote(fixed)}."
    return _finding(doc, start, verb, fixed, en, ko)


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for sentence in doc.sents:
        parts = _question_parts(sentence)
        if parts is None:
            continue
        _, verb, subject = parts
        fix = _fix(doc, verb, subject)
        if fix is not None:
            found.append(fix)
    return found
