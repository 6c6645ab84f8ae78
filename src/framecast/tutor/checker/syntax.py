"""What the rules read from spaCy's parse: a clause's subject, its person and number, finite verbs.

The parser was trained on correct English, so on a learner's sentence a tag may be wrong where the
error is ("love" in "Everyone in my family love dogs" comes out as a noun); the rules read the
dependency tree where it is reliable (who is the subject of what) and use word lists for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from spacy.tokens import Token

# "1sg" is "I"; "3sg" a singular third person; "pl" also covers "you" (they take the same verb forms).
Person = Literal["1sg", "3sg", "pl"]

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_PRONOUNS: dict[str, Person] = {
    "i": "1sg",
    "you": "pl",
    "we": "pl",
    "they": "pl",
    "he": "3sg",
    "she": "3sg",
    "it": "3sg",
    "this": "3sg",
    "that": "3sg",
    "these": "pl",
    "those": "pl",
}
INDEFINITE = frozenset(
    {
        "everyone",
        "everybody",
        "everything",
        "someone",
        "somebody",
        "something",
        "anyone",
        "anybody",
        "anything",
        "nobody",
        "nothing",
        "each",
        "either",
        "one",
    }
)
# A quantity whose number is that of its "of" phrase: "all of the students have", "most of the food is".
_PARTITIVE = frozenset({"all", "most", "some", "half", "lot", "lots", "rest", "majority", "plenty", "part"})
# Plural without an -s, and -s nouns that are singular.
_PLURAL_NOUNS = frozenset({"people", "police", "cattle", "children", "men", "women", "feet", "teeth", "mice"})
_SINGULAR_S = frozenset(
    {"news", "mathematics", "physics", "economics", "politics", "species", "series", "means", "athletics"}
)
# Groups take a singular or a plural verb ("my family live here" is British English): never judged.
COLLECTIVE = frozenset(
    {
        "family",
        "team",
        "group",
        "class",
        "staff",
        "crew",
        "band",
        "government",
        "company",
        "audience",
        "committee",
        "couple",
        "club",
        "majority",
        "number",
        "pair",
        "variety",
        "kind",
        "type",
        "sort",
        "public",
        "faculty",
        "jury",
        "army",
        "crowd",
        "media",
        "data",
    }
)
_OBJECT_PRONOUNS = frozenset({"me", "him", "her", "us", "them"})


def subject_of(verb: Token) -> Token | None:
    """The subject of the clause ``verb`` is the finite verb of (an auxiliary looks at its head)."""
    head = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    for child in head.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    return None


def antecedent(relative: Token) -> Token | None:
    """The noun a relative pronoun subject ("who", "that", "which") stands for, or None."""
    clause = relative.head
    if clause.dep_ in ("aux", "auxpass"):
        clause = clause.head
    if clause.dep_ != "relcl":
        return None
    noun = clause.head
    if noun.dep_ == "pobj" and noun.head.head.lower_ in INDEFINITE | _PARTITIVE | {"none", "any"}:
        return None  # "one of the people who live here": either may be meant
    return noun


def person(subject: Token) -> Person | None:
    """The person and number a verb must agree with for ``subject``, or None when not sure."""
    word = subject.lower_
    conj = [c for c in subject.children if c.dep_ == "conj"]
    if conj:
        ccs = {c.lower_ for c in subject.children if c.dep_ == "cc"}
        return "pl" if ccs == {"and"} else None
    if subject.dep_ in ("csubj", "csubjpass"):
        return "3sg"
    if word in ("who", "that", "which") and subject.tag_ in ("WP", "WDT"):
        noun = antecedent(subject)
        return person(noun) if noun is not None and noun.lower_ not in ("who", "that", "which") else None
    if word in _PRONOUNS and subject.tag_ in ("PRP", "DT"):
        return _PRONOUNS[word]
    if word in _OBJECT_PRONOUNS:
        return None  # "I saw him leave": a small clause, not a finite one
    if word in INDEFINITE or any(c.lower_ in ("each", "every") and c.dep_ == "det" for c in subject.children):
        return "3sg"
    if word in _PARTITIVE:
        of = next((c for c in subject.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        noun = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        return person(noun) if noun is not None else None
    if subject.pos_ not in ("NOUN", "PROPN") or word in COLLECTIVE:
        return None
    if any(c.dep_ == "nummod" for c in subject.children):
        return None  # "Two hours is enough": an amount is often singular
    if word in _PLURAL_NOUNS or (subject.tag_ == "NNS" and word not in _SINGULAR_S):
        return "pl"
    if subject.tag_ == "NNPS":
        return "pl"
    if subject.tag_ in ("NN", "NNP") and not word.endswith("s"):
        return "3sg"
    if subject.tag_ == "NN" or word in _SINGULAR_S:
        return "3sg"
    return None


def has_aux_before(verb: Token) -> bool:
    """Whether ``verb`` follows an auxiliary or "to" of its own clause (it is then not finite)."""
    return any(c.dep_ in ("aux", "auxpass") and c.i < verb.i for c in verb.children)


def describe(token: Token) -> str:
    """The words of a noun phrase up to its head: "The books" for "books" in "The books on the table"."""
    start = token.left_edge.i
    return token.doc[start : token.i + 1].text


def auxiliaries(verb: Token) -> list[Token]:
    """The auxiliaries of ``verb`` before it, in order ("have" in "I have gone", "did" in "Did you go")."""
    return [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i]


def is_clause_head(token: Token) -> bool:
    """A verb (or copula) that heads a clause, as opposed to an auxiliary of one."""
    return token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass")


def governing_verb(token: Token) -> Token | None:
    """The nearest verb above ``token`` in the tree ("live" for "since" in "I live here since 2020")."""
    node = token.head
    while True:
        if is_clause_head(node):
            return node
        if node.head.i == node.i:
            return None
        node = node.head


def conjoined(verb: Token) -> list[Token]:
    """``verb`` and the verbs joined to it by "and" that share its subject: left out ("go ... and
    buy") or said again ("I go ... and I see")."""
    out = [verb]
    subject = subject_of(verb)
    for child in verb.children:
        if child.dep_ != "conj" or not is_clause_head(child):
            continue
        own = subject_of(child)
        if own is None or (subject is not None and own.lower_ == subject.lower_):
            out += conjoined(child)
    return out


def rewrite(first: Token, last: Token, changes: dict[int, str]) -> str:
    """Tokens ``first`` to ``last`` as text with ``changes`` (token index → new text, "" to drop)."""
    out: list[str] = []
    for token in first.doc[first.i : last.i + 1]:
        text = changes.get(token.i, token.text)
        if text:
            out.append(text + (token.whitespace_ if token.i < last.i else ""))
        elif out and token.i == last.i:
            out[-1] = out[-1].rstrip()
    return "".join(out)


def person_of_verb(verb: Token) -> Person | None:
    """The person of the subject of the clause headed by ``verb``."""
    subject = subject_of(verb)
    return person(subject) if subject is not None else None


def changed_span(first: Token, last: Token, changes: dict[int, str]) -> tuple[Token, Token]:
    """The smallest span of ``first``..``last`` holding every change, with a contracted "n't" kept on
    its auxiliary ("don't" → "didn't", not "do" → "did")."""
    doc = first.doc
    indices = [i for i in changes if first.i <= i <= last.i]
    lo, hi = min(indices), max(indices)
    if hi + 1 <= last.i and doc[hi + 1].lower_ == "n't":
        hi += 1
    return doc[lo], doc[hi]


def phrase(token: Token) -> str:
    """The phrase ``token`` heads as a learner wrote it, without a sentence-initial capital."""
    doc = token.doc
    words = doc[token.left_edge.i : token.right_edge.i + 1]
    text = words.text.strip(" ,")
    first = words[0]
    if first.is_sent_start and first.tag_ not in ("NNP", "NNPS") and first.text != "I":
        text = text[:1].lower() + text[1:]
    return text
