"""Commonly confused words: their/there, your/you're, its/it's, than/then, lose/loose, borrow/lend."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.lexicon import COMPARATIVES, COUNTABLE, PLURALS
from bench.previous_checker.tokens import Sentence

_OWNED = frozenset(COUNTABLE) | PLURALS | {"parents", "homework", "name", "own", "names"}
_BEFORE_POSSESSIVE = frozenset(
    [
        "with",
        "of",
        "to",
        "in",
        "at",
        "for",
        "from",
        "about",
        "visited",
        "love",
        "loves",
        "like",
        "likes",
        "met",
        "saw",
        "see",
        "washed",
        "sold",
        "bought",
    ]
)
_OBJECTS = frozenset({"me", "him", "her", "us", "them"})
_LEND = {"lend": "borrow", "lends": "borrows", "lent": "borrowed", "lending": "borrowing"}
_LOSE_BEFORE = frozenset(
    ["to", "will", "can", "don't", "didn't", "not", "might", "could", "would", "should", "may", "never"]
)
_LOSE_AFTER = frozenset(
    ["weight", "the", "my", "your", "his", "her", "our", "their", "a", "it", "money", "time", "games", "game"]
)


def _fix(sentence: Sentence, i: int, j: int, fixed: str, en: str, ko: str) -> Finding:
    return span(sentence, i, j, fixed, en, ko, type="vocabulary")


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word, nxt, prev = token.lower, sentence.word(i + 1), sentence.word(i - 1)
        if word == "their" and nxt in {"is", "are", "was", "were"}:
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "there",
                    "'There is/are' says something exists; 'their' means 'belonging to them'.",
                    "존재를 말할 때는 'there is/are'를 씁니다. 'their'는 '그들의'라는 뜻입니다.",
                )
            )
        elif word == "there" and prev in _BEFORE_POSSESSIVE and nxt in _OWNED:
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "their",
                    "'Their' means 'belonging to them'.",
                    "'그들의'라는 뜻에는 'their'를 씁니다.",
                )
            )
        elif word == "your" and (
            nxt in {"going", "coming", "so", "very", "too", "not"}
            or (nxt in {"welcome", "right"} and sentence.is_boundary(i + 2))
        ):
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "you're",
                    "'You're' is 'you are'; 'your' means 'belonging to you'.",
                    "'you are'의 줄임말은 'you're'이고, 'your'는 '너의'라는 뜻입니다.",
                )
            )
        elif word == "you're" and nxt in _OWNED:
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "your",
                    "'Your' means 'belonging to you'; 'you're' is 'you are'.",
                    "'너의'라는 뜻에는 'your'를 씁니다. 'you're'는 'you are'입니다.",
                )
            )
        elif word == "its" and nxt in {
            "a",
            "an",
            "the",
            "very",
            "so",
            "too",
            "raining",
            "not",
            "going",
            "been",
            "time",
            "my",
            "cold",
            "hot",
        }:
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "it's",
                    "'It's' is 'it is'; 'its' means 'belonging to it'.",
                    "'it is'의 줄임말은 'it's'이고, 'its'는 '그것의'라는 뜻입니다.",
                )
            )
        elif word == "it's" and nxt in {"own", "tail", "name", "color", "colour", "size"}:
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "its",
                    "'Its' means 'belonging to it'; 'it's' is 'it is'.",
                    "'그것의'라는 뜻에는 'its'를 씁니다.",
                )
            )
        elif word == "then" and (prev in COMPARATIVES or prev == "rather"):
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "than",
                    "Comparisons use 'than'; 'then' means 'after that'.",
                    "비교할 때는 'than'을 씁니다. 'then'은 '그 다음에'라는 뜻입니다.",
                )
            )
        elif word == "than" and (sentence.is_boundary(i - 1) or prev == "and") and prev not in COMPARATIVES:
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "then",
                    "'Then' means 'after that'; 'than' is for comparisons.",
                    "'그 다음에'라는 뜻에는 'then'을 씁니다.",
                )
            )
        elif word in {"loose", "looses"} and (
            (prev in _LOSE_BEFORE and nxt in _LOSE_AFTER) or prev in {"i", "you", "we", "they", "he", "she"}
        ):
            fix = "loses" if word == "looses" else "lose"
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    fix,
                    "'Lose' means to stop having something; 'loose' means 'not tight'.",
                    "'잃다'는 'lose'이고, 'loose'는 '헐거운'이라는 뜻입니다.",
                )
            )
        elif word in _LEND and any(sentence.word(j) == "from" for j in range(i + 2, i + 6)):
            fix = _LEND[word]
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    fix,
                    "You borrow something from someone; you lend it to someone.",
                    "남에게서 빌릴 때는 'borrow', 남에게 빌려줄 때는 'lend'를 씁니다.",
                )
            )
        elif word in {"borrow", "borrowed"} and nxt in _OBJECTS:
            fix = "lend" if word == "borrow" else "lent"
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    fix,
                    "You lend something to someone; you borrow it from someone.",
                    "남에게 빌려줄 때는 'lend', 남에게서 빌릴 때는 'borrow'를 씁니다.",
                )
            )
        elif (
            word in {"make", "made", "making"}
            and nxt in {"a", "some"}
            and sentence.word(i + 2) in {"photo", "photos", "picture", "pictures"}
        ):
            fix = {"make": "take", "made": "took", "making": "taking"}[word]
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    fix,
                    "In English you 'take' a photo.",
                    "영어에서는 사진을 'take'한다고 말합니다.",
                )
            )
        elif (
            word in {"make", "made", "making"}
            and nxt in {"homework", "my", "the"}
            and (nxt == "homework" or sentence.word(i + 2) == "homework")
        ):
            fix = {"make": "do", "made": "did", "making": "doing"}[word]
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    fix,
                    "In English you 'do' homework.",
                    "영어에서는 숙제를 'do'한다고 말합니다.",
                )
            )
        elif word in {"say", "said"} and nxt in _OBJECTS:
            fix = "tell" if word == "say" else "told"
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    fix,
                    "Use 'tell' with a person as the object.",
                    "사람을 목적어로 쓸 때는 'tell'을 씁니다.",
                )
            )
        elif (
            word == "very" and prev in {"i", "you", "we", "they"} and nxt in {"like", "love", "want", "enjoy"}
        ):
            found.append(
                _fix(
                    sentence,
                    i,
                    i,
                    "really",
                    "'Very' cannot modify a verb: use 'really'.",
                    "'very'는 동사를 꾸밀 수 없으므로 'really'를 씁니다.",
                )
            )
    return found
