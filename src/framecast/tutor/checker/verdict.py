"""When the checker may call a sentence correct, not merely "no mistakes found".

Finding nothing is not the same as knowing a sentence is right: the rules cover some families only
and the parser was trained on correct English. The checker vouches for a sentence only when it is
short, is one clause the parser read without a fragment (a verb at the root with its subject, or an
imperative), and every word is in the word list or a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import spelling

if TYPE_CHECKING:
    from spacy.tokens import Doc

MAX_WORDS = 12
# Tags and labels of a parse that did not work out: unknown or foreign words, leftovers, fragments.
_UNSURE_TAGS = frozenset({"XX", "FW", "ADD", "NFP", "LS", "AFX", "GW", "UH"})
_UNSURE_DEPS = frozenset({"dep", "meta", "appos", "parataxis", "npadvmod_fragment"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"})


def is_confirmed(doc: Doc) -> bool:
    """Whether ``doc`` is short, fully parsed and made of known words (see the module docstring)."""
    words = [t for t in doc if t.is_alpha]
    if not words or len(words) > MAX_WORDS or len(list(doc.sents)) != 1:
        return False
    for token in doc:
        if token.tag_ in _UNSURE_TAGS or token.dep_ in _UNSURE_DEPS:
            return False
        if token.is_alpha and not spelling.is_known(token.lower_) and token.tag_ not in ("NNP", "NNPS"):
            return False
    root = next(t for t in doc if t.dep_ == "ROOT")
    if root.pos_ not in ("VERB", "AUX"):
        return False
    has_subject = any(c.dep_ in _SUBJECTS for c in root.children)
    imperative = root.tag_ == "VB" and root.i == doc[0].i
    return has_subject or imperative
