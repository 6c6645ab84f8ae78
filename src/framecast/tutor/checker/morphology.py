"""Word forms from lemminflect's tables: a verb's third person or past, a noun's plural, an adjective's
comparative; each checked against the shipped word list so that a rule never offers a made-up word
("beautifuler")."""

from __future__ import annotations

from functools import cache

import lemminflect  # type: ignore[import-untyped]  # lemminflect ships no type information

from framecast.tutor.checker import spelling

# "be", "have" and "do" by subject: the forms lemminflect gives in a tuple, chosen here.
_BE = {"VBZ": "is", "VBD": "was", "VBP": "are", "VB": "be", "VBN": "been", "VBG": "being"}


@cache
def inflect(lemma: str, tag: str) -> str | None:
    """``lemma`` in the form of the Penn ``tag`` (VBZ, VBD, VBN, VBG, VBP, NNS, JJR, JJS), or None.

    The American spelling is preferred ("traveled"), and a form missing from the word list is refused.
    """
    lemma = lemma.lower()
    if lemma == "be" and tag in _BE:
        return _BE[tag]
    forms: tuple[str, ...] = lemminflect.getInflection(lemma, tag=tag) or ()
    for form in forms:
        if spelling.is_known(form):
            return str(form)
    return None


@cache
def lemmas(word: str, upos: str) -> tuple[str, ...]:
    """The dictionary forms ``word`` may be an inflection of, as ``upos`` (VERB, NOUN, ADJ, AUX)."""
    found: tuple[str, ...] = lemminflect.getLemma(word.lower(), upos=upos, lemmatize_oov=False) or ()
    return tuple(str(f) for f in found)


def verb_lemma(word: str) -> str | None:
    """The verb ``word`` is a form of ("went" → "go"), or None when it is no known verb form."""
    word = word.lower()
    if word in ("am", "is", "are", "was", "were", "been", "being", "be", "'m", "'re", "'s"):
        return "be"
    found = lemmas(word, "VERB")
    return found[0] if found else None


def is_verb_form(word: str, tag: str) -> bool:
    """Whether ``word`` is the ``tag`` form of some verb ("goes" is a VBZ, "went" a VBD)."""
    lemma = verb_lemma(word)
    return lemma is not None and inflect(lemma, tag) == word.lower()


def third_person(lemma: str) -> str | None:
    return inflect(lemma, "VBZ")


def past(lemma: str) -> str | None:
    return "was" if lemma == "be" else inflect(lemma, "VBD")


def participle(lemma: str) -> str | None:
    return inflect(lemma, "VBN")


def ing(lemma: str) -> str | None:
    return inflect(lemma, "VBG")
