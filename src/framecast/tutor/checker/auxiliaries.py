"""The verb after "do", a modal or "to" is the bare infinitive: "Did you went" → "go", "Does she
likes" → "like", "He doesn't likes" → "like", "She can speaks" → "speak", "I will calling" → "call".

And a verb of thinking or wanting takes no "be" (Korean learners add it as with an adjective): "I am
agree with you" → "I agree", "She is want a car" → "She wants". Only verbs that are never adjectives
are taken ("The door is open", "The show is live" stay).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words
from framecast.tutor.checker.syntax import auxiliaries, person

if TYPE_CHECKING:
    from spacy.tokens import Doc

_DO = frozenset({"do", "does", "did"})
_BE = {"am": "present", "is": "present", "are": "present", "was": "past", "were": "past"}
# Verbs that are never adjectives (nor, as "like" is, prepositions), said after "be" as if they were.
_NO_BE = words("agree disagree want need know hate understand believe prefer remember think")


def _be_before_verb(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for be in doc[:-1]:
        verb = doc[be.i + 1]
        tense = _BE.get(be.lower_)
        if tense is None or verb.lower_ not in _NO_BE or be.i == 0:
            continue
        subject = doc[be.i - 1]
        if subject.pos_ not in ("PRON", "NOUN", "PROPN"):
            continue
        who = person(subject)
        if who is None:
            continue
        lemma = verb.lower_
        new = morphology.past(lemma) if tense == "past" else None
        if tense == "present":
            new = morphology.third_person(lemma) if who == "3sg" else lemma
        if new is None:
            continue
        found.append(
            replace(
                doc,
                be.i,
                verb.i,
                new,
                "verb_form",
                f"{quote(lemma)} is a verb, so it needs no {quote(be.text)}: {quote(new)}.",
                f"{quoted(lemma, '은/는')} 동사이므로 {quoted(be.text, '이/가')} 필요 없습니다: "
                f"{quote(new)}.",
            )
        )
    return found


def find(doc: Doc) -> list[Finding]:
    found = _be_before_verb(doc)
    for verb in doc:
        auxes = auxiliaries(verb)
        if not auxes or verb.pos_ not in ("VERB", "AUX"):
            continue
        aux = auxes[-1]
        is_do = aux.lower_ in _DO
        is_modal = aux.tag_ == "MD"
        is_to = aux.tag_ == "TO" and aux.lower_ == "to"
        if not (is_do or is_modal or is_to) or (len(auxes) > 1 and not is_do):
            continue
        lemma = morphology.verb_lemma(verb.lower_)
        if lemma is None or verb.lower_ == lemma or (lemma == "be" and verb.lower_ in ("be",)):
            continue
        wrong_form = morphology.is_verb_form(verb.lower_, "VBD") or morphology.is_verb_form(
            verb.lower_, "VBZ"
        )
        if is_modal and verb.tag_ == "VBG" and morphology.ing(lemma) == verb.lower_:
            wrong_form = True  # "I will calling you"
        if not wrong_form or (is_to and verb.tag_ == "VBG"):
            continue
        if lemma == "be" and verb.lower_ not in ("is", "are", "was", "were", "am"):
            continue
        found.append(
            replace(
                doc,
                verb.i,
                verb.i,
                lemma,
                "verb_form",
                f"After {quote(aux.text)}, the verb is in its base form: {quote(lemma)}.",
                f"{quote(aux.text)} 뒤에는 동사원형 {quoted(lemma, '을/를')} 씁니다.",
            )
        )
    return found
