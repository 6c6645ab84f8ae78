"""Subject-verb agreement read from the parse, across phrases and relative clauses: "Everyone in my
family love dogs" → "loves", "The books on the table is" → "are", "people who lives" → "live".

The subject is the verb's ``nsubj`` in the tree, so a prepositional phrase between them does not
mislead ("The price of these shoes are" → "is"). Verbs that may be bare on purpose are left alone:
subjunctives ("He suggested that she see a doctor", "It is important that everyone be on time"),
"if I were", and infinitives after "let", "make" or "see" ("I saw him leave").

When the parser finds no verb at all (it read "love" in "Everyone in my family love dogs" as a noun),
each word that can be a verb is tried in the agreeing form; a form the parser then reads as the
verb of the subject is the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.parser import parse
from framecast.tutor.checker.syntax import Person, antecedent, describe, has_aux_before, person, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Verbs and adjectives after which a "that" clause takes the bare subjunctive.
_MANDATIVE_VERBS = frozenset(
    {
        "suggest",
        "recommend",
        "insist",
        "demand",
        "require",
        "request",
        "propose",
        "urge",
        "ask",
        "advise",
        "order",
        "command",
        "move",
        "prefer",
        "stipulate",
        "beg",
    }
)
_MANDATIVE_ADJECTIVES = frozenset(
    {
        "important",
        "essential",
        "necessary",
        "vital",
        "crucial",
        "imperative",
        "critical",
        "urgent",
        "advisable",
    }
)
# A bare verb after these and an object is an infinitive: "let him go", "made me wait", "saw her leave".
_BARE_INFINITIVE_HEADS = frozenset(
    {"let", "make", "help", "have", "see", "watch", "hear", "feel", "notice", "bid", "'d", "would"}
)
_BE_PRESENT: dict[Person, str] = {"1sg": "am", "3sg": "is", "pl": "are"}
_BE_PAST: dict[Person, str] = {"1sg": "was", "3sg": "was", "pl": "were"}
_NEGATIVE = {
    "do": "don't",
    "does": "doesn't",
    "is": "isn't",
    "are": "aren't",
    "was": "wasn't",
    "were": "weren't",
    "has": "hasn't",
    "have": "haven't",
    "am": "am not",
}
_CONTRACTED = frozenset({"'s", "'re", "'m", "'ve", "'d"})


def _clause_verb(verb: Token) -> Token:
    return verb.head if verb.dep_ in ("aux", "auxpass") else verb


def _may_be_bare(verb: Token) -> bool:
    """A context where a bare verb or "were" is right whatever the subject."""
    clause = _clause_verb(verb)
    head = clause.head
    if clause.dep_ in ("ccomp", "xcomp", "advcl") and head.i != clause.i:
        if head.lemma_ in _MANDATIVE_VERBS or head.lower_ in _BARE_INFINITIVE_HEADS:
            return True
        if head.lemma_ in _BARE_INFINITIVE_HEADS and clause.dep_ in ("ccomp", "xcomp"):
            return True
        if any(c.lemma_ in _MANDATIVE_ADJECTIVES for c in head.children if c.dep_ in ("acomp", "attr")):
            return True
        if any(c.lower_ == "rather" for c in head.children):
            return True  # "I'd rather he stay home"
    if verb.lower_ == "were":
        marks = {c.lower_ for c in clause.children if c.dep_ == "mark"}
        return bool(marks & {"if", "as", "though", "unless"}) or head.lemma_ == "wish"
    return False


def _is_finite_candidate(verb: Token) -> bool:
    if verb.tag_ not in ("VBZ", "VBP", "VB", "VBD") or verb.lower_ in _CONTRACTED:
        return False
    if verb.tag_ == "VBD" and verb.lower_ not in ("was", "were"):
        return False
    if has_aux_before(verb):
        return False
    if verb.dep_ in ("aux", "auxpass"):
        earlier = [c for c in verb.head.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i]
        if earlier or verb.lower_ in ("to", "be", "been", "being"):
            return False
    return True


def _agreeing_form(verb: Token, who: Person) -> str | None:
    """The form of ``verb`` that agrees with a subject of person ``who`` (None: no such verb form)."""
    word = verb.lower_
    if word in ("am", "is", "are"):
        return _BE_PRESENT[who]
    if word in ("was", "were"):
        return _BE_PAST[who]
    lemma = morphology.verb_lemma(word)
    if lemma is None or lemma == "be":
        return None
    if who == "3sg":
        if word != lemma:
            return None  # already inflected ("went"), or not a base form
        return morphology.third_person(lemma)
    if morphology.third_person(lemma) != word:
        return None
    return lemma


def _subject_ok(verb: Token, subject: Token) -> bool:
    """A subject after its verb is only trusted in a question or an inverted auxiliary ("Does he")."""
    if subject.i < verb.i:
        return True
    doc = verb.doc
    sentence = verb.sent
    is_question = sentence[-1].text == "?" or (doc[-1].text == "?")
    return verb.dep_ in ("aux", "auxpass", "ROOT") and verb.pos_ == "AUX" and is_question


def _finding(doc: Doc, verb: Token, subject: Token, fix: str, who: Person) -> Finding:
    last = verb.i
    nxt = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
    if nxt is not None and nxt.lower_ == "n't" and fix in _NEGATIVE:
        fix, last = _NEGATIVE[fix], nxt.i
    words = doc[verb.i : last + 1].text
    if fix.lower() == words.lower():
        fix = words
    noun = antecedent(subject) if subject.lower_ in ("who", "that", "which") else None
    number_en = {"1sg": "'I'", "3sg": "singular", "pl": "plural"}[who]
    number_ko = {"1sg": "'I'", "3sg": "단수", "pl": "복수"}[who]
    if noun is not None:
        meant = quote(describe(noun))
        en = f"{quote(subject.text)} stands for {meant}, which is {number_en}: use {quote(fix)}."
        ko = (
            f"{quoted(subject.text, '은/는')} {quoted(describe(noun), '을/를')} "
            f"가리키고 {number_ko}이므로 동사는 {quoted(fix, '으로/로')} 씁니다."
        )
    elif who == "1sg":
        en = f"With 'I' the verb is {quote(fix)}."
        ko = f"주어가 'I'일 때는 {quoted(fix, '을/를')} 씁니다."
    else:
        shown = describe(subject)
        en = f"The subject {quote(shown)} is {number_en}, so the verb is {quote(fix)}."
        ko = f"주어 {quoted(shown, '은/는')} {number_ko}이므로 동사는 {quoted(fix, '으로/로')} 씁니다."
    return replace(doc, verb.i, last, fix, "agreement", en, ko)


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for verb in doc:
        if not _is_finite_candidate(verb):
            continue
        subject = subject_of(verb)
        if subject is None or not _subject_ok(verb, subject):
            continue
        if subject.dep_ == "expl":
            fix = _there(verb, subject)
            if fix is not None:
                found.append(fix)
            continue
        who = person(subject)
        if who is None or _may_be_bare(verb):
            continue
        form = _agreeing_form(verb, who)
        if form is not None and form != verb.lower_:
            found.append(_finding(doc, verb, subject, form, who))
    if not found:
        found = _verbless(doc)
    return found


def _there(verb: Token, there: Token) -> Finding | None:
    """ "There is many people" → "are"; "There are a cat" → "is" (not with "and": "there is a cat and
    a dog" is fine)."""
    if verb.lower_ not in ("is", "are", "was", "were"):
        return None
    noun = next((c for c in verb.children if c.dep_ in ("attr", "nsubj") and c.i > verb.i), None)
    if noun is None or any(c.dep_ == "conj" for c in noun.children) or noun.lower_ in ("lot", "lots"):
        return None
    dets = {c.lower_ for c in noun.children if c.dep_ in ("det", "nummod", "amod")}
    if noun.tag_ == "NNS" or noun.lower_ in ("people", "children"):
        who: Person = "pl"
    elif noun.tag_ == "NN" and dets & {"a", "an", "one", "this", "that", "another"}:
        who = "3sg"
    else:
        return None
    fix = _BE_PRESENT[who] if verb.lower_ in ("is", "are") else _BE_PAST[who]
    if fix == verb.lower_:
        return None
    doc = verb.doc
    en = f"After 'there', the verb agrees with {quote(describe(noun))}: use {quote(fix)}."
    noun_ko, fix_ko = quoted(describe(noun), "과/와"), quoted(fix, "을/를")
    ko = f"'there' 뒤의 동사는 {noun_ko} 수를 맞춰 {fix_ko} 씁니다."
    return _finding_at(doc, verb, fix, en, ko)


def _finding_at(doc: Doc, verb: Token, fix: str, en: str, ko: str) -> Finding:
    return replace(doc, verb.i, verb.i, fix, "agreement", en, ko)


def _verbless(doc: Doc) -> list[Finding]:
    """A sentence the parser read without a verb: try each word that can be one in its agreeing form."""
    if any(t.pos_ in ("VERB", "AUX") for t in doc):
        return []
    for token in doc[1:]:
        word = token.lower_
        if not token.is_alpha or not word.islower() or token.tag_ not in ("NN", "NNS", "JJ", "VBP", "VB"):
            continue
        lemma = morphology.verb_lemma(word)
        if lemma is None or lemma == "be":
            continue
        forms = [f for f in (morphology.third_person(lemma), lemma) if f and f != word]
        for form in forms:
            text = doc.text[: token.idx] + form + doc.text[token.idx + len(token.text) :]
            again = parse(text)
            if len(again) != len(doc):
                continue
            verb = again[token.i]
            subject = subject_of(verb)
            if verb.dep_ != "ROOT" or verb.tag_ not in ("VBZ", "VBP") or subject is None:
                continue
            who = person(subject)
            if who is not None and _agreeing_form(token, who) == form:
                return [_finding(doc, token, doc[subject.i], form, who)]
    return []
