"""Gerund or infinitive after a verb, and the bare verb where English has one:

- "-ing" after enjoy, finish, avoid, suggest, mind, keep, practice, give up...: "I enjoy to swim" →
  "I enjoy swimming";
- "to" + verb after want, decide, hope, plan, promise, would like...: "I want going" → "to go";
- no "to" after a modal or after "let"/"make" + object: "I can to swim", "He made me to wait";
- "-ing" after a preposition, including the "to" of "look forward to" and "be used to": "I'm
  looking forward to meet you" → "meeting", "before go to bed" → "before going".

Verbs that take both ("stop", "start", "like", "remember", "try") are never judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker import morphology
from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_GERUND_VERBS = words(
    "enjoy finish avoid suggest mind keep practice practise consider imagine deny admit miss risk postpone "
    "delay quit"
)
_GERUND_PHRASAL = {("give", "up"), ("put", "off"), ("keep", "on"), ("carry", "on")}
_INFINITIVE_VERBS = words(
    "want decide hope plan promise refuse agree expect choose manage afford offer fail pretend wish intend"
)
_PEOPLE = frozenset({"i", "you", "he", "she", "we", "they"})
_CAUSATIVES = frozenset({"let", "make"})
_MODALS = frozenset({"can", "could", "will", "would", "shall", "should", "may", "might", "must", "ca", "wo"})
# Prepositions after which a verb takes -ing ("to" is handled with its own phrases).
_PREPOSITIONS = frozenset(
    {"before", "after", "without", "about", "of", "for", "by", "in", "at", "from", "on"}
)
_ABOUT_HEADS = frozenset({"think", "talk", "worry", "dream", "care", "complain", "forget", "hear", "know"})


def _lemma(token: Token) -> str | None:
    return morphology.verb_lemma(token.lower_)


def _prev(token: Token, k: int = 1) -> Token | None:
    i = token.i - k
    return token.doc[i] if i >= 0 else None


def _next(token: Token) -> Token | None:
    i = token.i + 1
    return token.doc[i] if i < len(token.doc) else None


def _word(token: Token | None) -> str:
    return token.lower_ if token is not None else ""


def _is_base_verb(token: Token | None) -> bool:
    if token is None or not token.is_alpha or token.tag_ not in ("VB", "VBP"):
        return False
    lemma = _lemma(token)
    return lemma is not None and lemma == token.lower_


def _finding(doc: Doc, first: Token, last: Token, fixed: str, en: str, ko: str) -> Finding:
    return replace(doc, first.i, last.i, fixed, "verb_patterns", en, ko)


def _to_after_gerund_verb(doc: Doc, to: Token) -> Finding | None:
    """ "enjoy to swim" → "enjoy swimming"; "give up to smoke" → "give up smoking"."""
    verb = _next(to)
    before = _prev(to)
    if before is None or not _is_base_verb(verb) or verb is None:
        return None
    lemma = _lemma(before)
    name = lemma
    if before.dep_ == "prt":
        head = _prev(before)
        hl = _lemma(head) if head is not None else None
        if (hl, before.lower_) not in _GERUND_PHRASAL:
            return None
        name = f"{hl} {before.lower_}"
    elif lemma not in _GERUND_VERBS or before.tag_ not in ("VB", "VBP", "VBZ", "VBD", "VBG", "VBN"):
        return None
    ing = morphology.ing(verb.lower_)
    if ing is None:
        return None
    return _finding(
        doc,
        to,
        verb,
        ing,
        f"{quote(str(name))} is followed by the -ing form: {quote(ing)}.",
        f"{quote(str(name))} 뒤에는 동명사(-ing) {quoted(ing, '을/를')} 씁니다.",
    )


def _ing_after_infinitive_verb(doc: Doc, ing: Token) -> Finding | None:
    """ "I want going" → "want to go"; "I'd like ordering" → "'d like to order"."""
    before = _prev(ing)
    if before is None or ing.tag_ != "VBG":
        return None
    lemma = _lemma(before)
    verb_lemma = _lemma(ing)
    if verb_lemma is None or morphology.ing(verb_lemma) != ing.lower_:
        return None
    would_like = lemma == "like" and _word(_prev(before)) in ("'d", "would")
    need = lemma == "need" and _subject_is_person(before)
    if not (lemma in _INFINITIVE_VERBS or would_like or need) or before.pos_ not in ("VERB", "AUX"):
        return None
    fixed = f"to {verb_lemma}"
    name = "would like" if would_like else str(lemma)
    return _finding(
        doc,
        ing,
        ing,
        fixed,
        f"{quote(name)} is followed by 'to' + verb: {quote(fixed)}.",
        f"{quote(name)} 뒤에는 'to + 동사원형' {quoted(fixed, '을/를')} 씁니다.",
    )


def _subject_is_person(verb: Token) -> bool:
    return any(c.dep_ == "nsubj" and c.lower_ in _PEOPLE for c in verb.children)


def _to_after_modal_or_causative(doc: Doc, to: Token) -> Finding | None:
    verb = _next(to)
    before = _prev(to)
    if before is None or verb is None or not _is_base_verb(verb):
        return None
    modal = before if before.lower_ in _MODALS else _prev(to, 2) if before.lower_ == "n't" else None
    if modal is not None and modal.lower_ in _MODALS:
        shown = doc[modal.i : to.i].text
        return _finding(
            doc,
            modal,
            verb,
            f"{shown} {verb.text}",
            f"No 'to' after {quote(shown)}: {quote(shown + ' ' + verb.text)}.",
            f"조동사 {quote(shown)} 뒤에는 to 없이 동사원형을 씁니다.",
        )
    causative = _prev(to, 2)
    if (
        causative is None
        or before.pos_ not in ("PRON", "NOUN", "PROPN")
        or _lemma(causative) not in _CAUSATIVES
    ):
        return None
    if causative.tag_ == "VBN":
        return None  # "I was made to wait" is right
    return _finding(
        doc,
        to,
        verb,
        verb.text,
        f"After {quote(causative.text + ' ' + before.text)}, the verb has no 'to': {quote(verb.text)}.",
        f"{quote(causative.text)} + 목적어 뒤에는 to 없이 동사원형 {quoted(verb.text, '을/를')} 씁니다.",
    )


def _to_as_preposition(doc: Doc, to: Token) -> Finding | None:
    """ "looking forward to meet" → "meeting", "I'm used to get up" → "getting"."""
    verb = _next(to)
    before = _prev(to)
    if before is None or verb is None or not _is_base_verb(verb):
        return None
    looking = _prev(before)
    if before.lower_ == "forward" and looking is not None and _lemma(looking) == "look":
        phrase = "look forward to"
    elif before.lower_ == "used" and _used_after_be(before):
        phrase = "be used to"
    else:
        return None
    ing = morphology.ing(verb.lower_)
    if ing is None:
        return None
    return _finding(
        doc,
        verb,
        verb,
        ing,
        f"In {quote(phrase)}, 'to' is a preposition: use the -ing form {quote(ing)}.",
        f"{quote(phrase)}의 to는 전치사라서 동명사 {quoted(ing, '을/를')} 씁니다.",
    )


def _used_after_be(used: Token) -> bool:
    """ "I'm used to", "she got used to": a person is used to something (not "The knife is used to cut")."""
    doc = used.doc
    for k in (1, 2):
        i = used.i - k
        if i < 0:
            return False
        word = doc[i].lower_
        if word in (
            "am",
            "'m",
            "is",
            "are",
            "'re",
            "was",
            "were",
            "get",
            "got",
            "getting",
            "gets",
            "be",
            "been",
        ):
            subject = doc[i - 1].lower_ if i > 0 else ""
            return subject in _PEOPLE or doc[i].lower_ in ("'m", "'re", "am") or subject in ("not", "'s")
        if doc[i].pos_ != "ADV":
            return False
    return False


def _after_preposition(doc: Doc, prep: Token) -> Finding | None:
    """ "before go to bed" → "before going", "interested in learn" → "in learning"."""
    verb = _next(prep)
    word = prep.lower_
    if word not in _PREPOSITIONS or prep.tag_ != "IN" or verb is None or verb.tag_ != "VB":
        return None
    lemma = _lemma(verb)
    if lemma is None or lemma != verb.lower_ or (verb.lower_ in ("be", "do") and _next(verb) is None):
        return None
    ing = morphology.ing(lemma)
    if ing is None:
        return None
    return _finding(
        doc,
        verb,
        verb,
        ing,
        f"After the preposition {quote(prep.text)}, a verb takes the -ing form: {quote(ing)}.",
        f"전치사 {quote(prep.text)} 뒤에는 동명사 {quoted(ing, '을/를')} 씁니다.",
    )


def _about_to(doc: Doc, about: Token) -> Finding | None:
    """ "thinking about to change" → "about changing" ("I'm about to leave" is right)."""
    to = _next(about)
    if to is None or to.lower_ != "to":
        return None
    verb = _next(to)
    head = _prev(about)
    if head is None or verb is None or not _is_base_verb(verb) or _lemma(head) not in _ABOUT_HEADS:
        return None
    ing = morphology.ing(verb.lower_)
    if ing is None:
        return None
    return _finding(
        doc,
        to,
        verb,
        ing,
        f"After 'about', a verb takes the -ing form: {quote('about ' + ing)}.",
        f"전치사 'about' 뒤에는 동명사 {quoted(ing, '을/를')} 씁니다.",
    )


def find(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc:
        fix: Finding | None = None
        if token.lower_ == "to":
            fix = (
                _to_after_modal_or_causative(doc, token)
                or _to_as_preposition(doc, token)
                or _to_after_gerund_verb(doc, token)
            )
        elif token.lower_ == "about":
            fix = _about_to(doc, token) or _after_preposition(doc, token)
        elif token.tag_ == "VBG":
            fix = _ing_after_infinitive_verb(doc, token)
        elif token.tag_ == "IN":
            fix = _after_preposition(doc, token)
        if fix is not None:
            found.append(fix)
    return found
