"""Articles: "a"/"an" by the sound of the next word, "a" before a plural noun ("a new shoes"), a
missing "a" before a singular countable noun ("I have dog", "He is honest man"), and "the" where
English uses none (sports, school subjects and
languages, meals, abstract nouns said in general: "The honesty is important").

Precision first: "a" is only added before a noun of the closed countable list (``nouns.COUNTABLE``)
that has no determiner, possessive or number, in an object or complement position, outside fixed
phrases ("by bus", "what kind of car"); "the" is only dropped in the patterns above, when nothing
(an "of" phrase, a relative clause) makes the noun specific.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framecast.tutor.checker.finding import Finding, quote, quoted, replace
from framecast.tutor.checker.lexicon import COUNTABLE, COUNTABLE_WITH_ADJECTIVE, article_for, wants_an, words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_DETERMINING = frozenset({"det", "poss", "nummod", "predet", "quantmod"})
# Words before a noun that make an article wrong or move it: "such a", "what a", "half an hour".
_NO_ARTICLE_AFTER = frozenset(
    {
        "such",
        "what",
        "quite",
        "rather",
        "many",
        "half",
        "which",
        "whose",
        "no",
        "any",
        "every",
        "each",
        "another",
    }
)
# Adjectives that make a time phrase or a unique reference ("last week", "the first time").
_DEFINITE_ADJECTIVES = frozenset(
    {
        "last",
        "next",
        "previous",
        "following",
        "same",
        "only",
        "first",
        "second",
        "third",
        "main",
        "own",
        "whole",
    }
)
_NO_ARTICLE_PREPOSITIONS = frozenset({"by", "per", "via", "without"})
# Places named for what is done there take no article after these prepositions: "go to bed", "at school".
_INSTITUTIONS = frozenset(
    {"bed", "school", "church", "class", "college", "university", "hospital", "prison", "town", "camp"}
)
_PLACE_PREPOSITIONS = frozenset({"to", "in", "at", "from", "into", "after", "before", "for", "out"})
# Set phrases with "on": "on vacation", "on time", "on foot", "on sale".
_ON_PHRASES = frozenset(
    {
        "vacation",
        "holiday",
        "business",
        "duty",
        "sale",
        "time",
        "foot",
        "fire",
        "display",
        "board",
        "purpose",
        "average",
        "call",
        "leave",
        "strike",
        "trial",
    }
)
# Words between "a" and a plural noun that the article goes with: "a few", "a couple of", "a dozen".
_QUANTITY_WORDS = frozenset(
    {"few", "couple", "dozen", "lot", "lots", "number", "pair", "hundred", "thousand", "million"}
)
# Nouns in -s that are not plurals: "a series", "news" (uncountable: another mistake, said elsewhere).
_NOT_PLURAL = frozenset(
    {"news", "series", "species", "means", "headquarters", "crossroads", "physics", "mathematics"}
    | {"economics", "politics", "athletics", "gymnastics", "diabetes", "measles", "lens", "bus", "gas"}
)
_KIND_OF = frozenset({"kind", "kinds", "sort", "sorts", "type", "types", "lot", "lots", "bit", "piece"})
_EVALUATIVE = words(
    """
    good great nice wonderful amazing fantastic terrible awful bad hard difficult tough busy fun lovely
    happy sad long short interesting exciting unforgettable memorable strange rough valuable
    """
)

_SPORTS = words(
    "soccer football tennis baseball basketball golf volleyball badminton hockey rugby cricket bowling "
    "table-tennis pingpong"
)
_SUBJECTS = words(
    "math maths mathematics science history physics chemistry biology geography music art english korean "
    "japanese chinese spanish french german economics literature"
)
_MEALS = frozenset({"breakfast", "lunch", "dinner", "brunch", "supper"})
_ABSTRACT = words(
    "honesty nature life love happiness health money friendship education success patience kindness "
    "freedom peace time"
)
_STUDY_VERBS = frozenset(
    {"study", "learn", "teach", "speak", "like", "love", "hate", "major", "enjoy", "practice"}
)
_MEAL_VERBS = frozenset({"eat", "have", "skip", "cook", "make", "prepare", "eats", "had"})
_LIKE_VERBS = frozenset({"love", "like", "enjoy", "protect", "hate", "prefer"})


def _specific(noun: Token) -> bool:
    """Whether something after ``noun`` makes it specific: "the history of Korea", "the money you gave"."""
    return any(
        c.dep_ in ("prep", "relcl", "acl", "amod", "compound", "poss", "advmod") for c in noun.children
    )


def _plural_after(article: Token) -> Token | None:
    """The plural noun ``article`` ("a"/"an") determines, if it is one: "a new shoes", "an English
    movies". Not "a few friends", "a lot of movies", "a hundred people" (the article goes with the
    quantity word), nor nouns whose plural is their singular ("a series", "a means")."""
    noun = article.head
    if article.dep_ != "det" or noun.i <= article.i or noun.tag_ != "NNS" or not noun.text.islower():
        return None
    if noun.lemma_.lower() == noun.lower_ or not noun.lower_.endswith("s") or noun.lower_ in _NOT_PLURAL:
        return None
    between = article.doc[article.i + 1 : noun.i]
    if any(
        t.tag_ in ("CD", "JJR", "JJS", "PDT") or t.lower_ in _QUANTITY_WORDS or not t.is_alpha
        for t in between
    ):
        return None
    return noun


_SINGULAR_SUBJECTS = frozenset({"i", "he", "she", "it", "this", "that"})


def _one_of_them(noun: Token) -> bool:
    """ "He is a good friends": the complement of "be" after a singular subject means one."""
    verb = noun.head
    if noun.dep_ != "attr" or verb.lemma_ != "be":
        return False
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return len(subjects) == 1 and (
        subjects[0].lower_ in _SINGULAR_SUBJECTS or subjects[0].tag_ in ("NN", "NNP")
    )


def _a_before_plural(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for article in doc[:-1]:
        if article.lower_ not in ("a", "an") or (noun := _plural_after(article)) is None:
            continue
        if _one_of_them(noun):
            between = doc[article.i : noun.i].text
            fixed = f"{between} {noun.lemma_}"
            en = f"One person or thing: {quote(noun.text)} becomes {quote(noun.lemma_)} ({quote(fixed)})."
            ko = (
                f"하나를 말하므로 {quoted(noun.text, '은/는')} 단수형 {quote(noun.lemma_)}로 씁니다 "
                f"({quote(fixed)})."
            )
        else:
            fixed = doc[article.i + 1 : noun.i + 1].text
            en = f"{quote(noun.text)} is plural: no {quote(article.lower_)} before it ({quote(fixed)})."
            ko = (
                f"{quoted(noun.text, '은/는')} 복수 명사라서 {quote(article.lower_)}를 쓰지 않습니다 "
                f"({quote(fixed)})."
            )
        found.append(replace(doc, article.i, noun.i, fixed, "articles", en, ko))
    return found


def _a_or_an(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for token in doc[:-1]:
        word = token.lower_
        if word not in ("a", "an") or (token.text == "A" and not token.is_sent_start):
            continue  # "Plan A is better": a capital A inside a sentence is a letter
        if _plural_after(token) is not None:
            continue  # "a English movies": the article goes (``_a_before_plural``)
        nxt = doc[token.i + 1]
        if not nxt.is_alpha or (len(nxt.text) < 2 and not nxt.text.isupper()):
            continue
        an = wants_an(nxt.text)
        if an is None or an == (word == "an"):
            continue
        right = "an" if an else "a"
        sound_en, sound_ko = ("a vowel", "모음") if an else ("a consonant", "자음")
        found.append(
            replace(
                doc,
                token.i,
                nxt.i,
                f"{right} {nxt.text}",
                "articles",
                f"Use {quote(right)} before {quote(nxt.text)}: it starts with {sound_en} sound.",
                f"{quote(nxt.text)}처럼 {sound_ko} 소리로 시작하는 단어 앞에는 "
                f"{quoted(right, '을/를')} 씁니다.",
            )
        )
    return found


def _needs_article(noun: Token) -> bool:
    word = noun.lower_
    if noun.tag_ != "NN" or not noun.text.islower():
        return False
    if noun.dep_ not in ("dobj", "attr", "pobj", "oprd"):
        return False
    children = list(noun.children)
    if any(c.dep_ in _DETERMINING or c.tag_ in ("PRP$", "WDT", "WP$", "CD", "POS") for c in children):
        return False
    left = noun.doc[noun.left_edge.i : noun.i]
    if any(
        t.lower_ in _NO_ARTICLE_AFTER | _DEFINITE_ADJECTIVES or t.tag_ in ("JJS", "CD", "POS") for t in left
    ):
        return False
    before = noun.doc[noun.left_edge.i - 1] if noun.left_edge.i > 0 else None
    if before is not None and (
        before.lower_ in _NO_ARTICLE_AFTER | {"a", "an", "the"} or before.tag_ == "POS"
    ):
        return False
    if any(c.dep_ == "conj" for c in children) or noun.dep_ == "conj":
        return False  # "a cat and dog", "bread and butter": the article may be shared
    if noun.dep_ == "pobj":
        prep = noun.head
        if prep.lower_ in _NO_ARTICLE_PREPOSITIONS or prep.head.lower_ in _KIND_OF:
            return False
        if word in _INSTITUTIONS and prep.lower_ in _PLACE_PREPOSITIONS:
            return False
        if word in _ON_PHRASES and prep.lower_ in ("on", "in"):
            return False
    if word in COUNTABLE:
        return True
    if word in COUNTABLE_WITH_ADJECTIVE and noun.dep_ in ("attr", "dobj"):
        verb = noun.head
        adjectives = [c for c in children if c.dep_ == "amod"]
        return verb.lemma_ in ("be", "have") and any(a.lower_ in _EVALUATIVE for a in adjectives)
    return False


def _missing(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for noun in doc:
        if not _needs_article(noun):
            continue
        first = noun.left_edge
        phrase = doc[first.i : noun.i + 1].text
        article = article_for(first.text)
        found.append(
            replace(
                doc,
                first.i,
                noun.i,
                f"{article} {phrase}",
                "articles",
                f"{quote(noun.text)} is a singular countable noun: it needs an article "
                f"({quote(article + ' ' + phrase)}).",
                f"{quoted(noun.text, '은/는')} 셀 수 있는 단수 명사라서 관사가 필요합니다 "
                f"({quote(article + ' ' + phrase)}).",
            )
        )
    return found


def _drop_the(doc: Doc, the: Token, noun: Token, en: str, ko: str) -> Finding:
    return replace(doc, the.i, noun.i, doc[the.i + 1 : noun.i + 1].text, "articles", en, ko)


def _extra_the(doc: Doc) -> list[Finding]:
    found: list[Finding] = []
    for the in doc:
        if the.lower_ != "the" or the.dep_ != "det":
            continue
        noun = the.head
        if noun.i != the.i + 1 or noun.tag_ != "NN" or _specific(noun):
            continue
        word, verb = noun.lower_, noun.head
        if word in _SPORTS and noun.dep_ == "dobj" and verb.lemma_ == "play":
            en, ko = "No article before the name of a sport.", "운동 경기 이름 앞에는 관사를 쓰지 않습니다."
        elif word in _SUBJECTS and (
            (noun.dep_ == "dobj" and verb.lemma_ in _STUDY_VERBS)
            or (noun.dep_ == "attr" and any(c.lower_ in ("subject", "major") for c in verb.children))
        ):
            en = "No article before a school subject or a language."
            ko = "과목이나 언어 이름 앞에는 관사를 쓰지 않습니다."
        elif word in _MEALS and noun.dep_ == "dobj" and verb.lemma_ in _MEAL_VERBS:
            en, ko = "No article before a meal in general.", "일반적인 식사 이름 앞에는 관사를 쓰지 않습니다."
        elif word in _ABSTRACT and (
            (noun.dep_ == "nsubj" and verb.lemma_ == "be" and not _located(verb))
            or (noun.dep_ == "dobj" and verb.lemma_ in _LIKE_VERBS and word == "nature")
        ):
            en = f"{quote(noun.text)} in general takes no article."
            ko = f"일반적인 의미의 {quoted(noun.text, '은/는')} 관사 없이 씁니다."
        else:
            continue
        found.append(_drop_the(doc, the, noun, en, ko))
    return found


def _located(verb: Token) -> bool:
    """ "The money is on the table": a place or time after "be" makes the subject a specific one."""
    return any(c.dep_ in ("prep", "advmod") and c.i > verb.i for c in verb.children)


def find(doc: Doc) -> list[Finding]:
    return _a_or_an(doc) + _a_before_plural(doc) + _missing(doc) + _extra_the(doc)
