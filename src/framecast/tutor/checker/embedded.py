"""Word order in embedded questions: a question inside a sentence keeps the order of a statement.
"Can you tell me where is the station?" → "where the station is"; "Do you know when does the store
open?" → "when the store opens"; "I'm not sure where did I put my keys." → "where I put".

The clause must hang under a verb or adjective of knowing or asking ("know", "tell", "wonder",
"sure") and start with a question word that is not its subject: "Do you know what is wrong with my
phone?" and "I know who is coming" are right as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, replace
from framecast.tutor.checker.lexicon import words
from framecast.tutor.checker.questions import WH
from framecast.tutor.checker.syntax import auxiliaries, person, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_EMBEDDING = words(
    """
    know tell wonder ask remember understand explain sure idea show say forget find see check decide
    guess care learn notice realize realise clear curious aware doubt wonder mind discuss
    """
)
_DO = frozenset({"do", "does", "did"})
_BE = frozenset({"am", "is", "are", "was", "were"})
_EN = "Inside a sentence, a question keeps the order of a statement: {}."
_KO = "문장 안에 들어간 의문문은 평서문 어순으로 씁니다: {}."


def _wh_before(clause: Token, first: Token) -> Token | None:
    """The question word that opens ``clause`` right before ``first`` (its verb or auxiliary)."""
    doc = clause.doc
    for token in doc[clause.left_edge.i : first.i]:
        if token.lower_ in WH:
            if token.dep_ in ("nsubj", "nsubjpass"):
                return None
            return token
    return None


def _fix(clause: Token) -> Finding | None:
    doc = clause.doc
    head = clause.head
    if (
        clause.dep_ not in ("ccomp", "xcomp", "advcl", "pcomp", "dobj", "acl")
        or head.lemma_ not in _EMBEDDING
    ):
        return None
    subject = subject_of(clause)
    if subject is None:
        return None
    auxes = auxiliaries(clause)
    first = auxes[0] if auxes else clause
    wh = _wh_before(clause, first)
    if wh is None or first.i >= subject.left_edge.i:
        return None
    if any(t.lower_ in WH for t in doc[wh.i + 1 : first.i] if t.lower_ not in ("much", "many")):
        return None
    said = doc[subject.left_edge.i : subject.right_edge.i + 1].text
    if subject.left_edge.i != first.i + 1:
        return None  # something between the auxiliary and the subject: leave it
    if auxes and first.lower_ in _DO:
        nxt = auxes[1] if len(auxes) > 1 else clause
        if nxt.i != subject.right_edge.i + 1 or doc[first.i + 1].lower_ == "n't":
            return None
        lemma = morphology.verb_lemma(nxt.lower_)
        if lemma is None:
            return None
        if first.lower_ == "did":
            new = morphology.past(lemma)
        elif first.lower_ == "does" or person(subject) == "3sg":
            new = morphology.third_person(lemma)
        else:
            new = lemma
        if new is None:
            return None
        fixed = f"{said} {new}"
        return replace(
            doc,
            first.i,
            nxt.i,
            fixed,
            "embedded_questions",
            _EN.format(quote(fixed)),
            _KO.format(quote(fixed)),
        )
    if auxes or first.lower_ in _BE:
        moved = first.text
        fixed = f"{said} {moved}"
        en, ko = _EN.format(quote(fixed)), _KO.format(quote(fixed))
        return replace(doc, first.i, subject.right_edge.i, fixed, "embedded_questions", en, ko)
    return None


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        if token.pos_ in ("VERB", "AUX") and token.dep_ != "ROOT":
            fix = _fix(token)
            if fix is not None:
                found.append(fix)
    return found
