"""Articles: a/an by the sound of the next word, missing "a" before a job, extra "the"."""

# ruff: noqa: E501 - word tables and bilingual messages read best on one line each

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.tokens import Sentence

# Spelled with a vowel but said with a consonant sound, and the reverse.
_CONSONANT_SOUND = ("uni", "use", "usu", "uti", "euro", "one", "once", "ufo", "ukul")
_VOWEL_SOUND = frozenset({"hour", "hours", "honest", "honour", "honor", "heir", "hourly", "mba", "fbi"})
_JOBS = frozenset(
    [
        "student",
        "teacher",
        "doctor",
        "nurse",
        "engineer",
        "lawyer",
        "driver",
        "singer",
        "programmer",
        "designer",
        "artist",
        "actor",
        "writer",
        "farmer",
        "dentist",
        "pilot",
        "chef",
        "scientist",
    ]
)
_SPORTS = frozenset(
    ["football", "soccer", "tennis", "basketball", "baseball", "golf", "volleyball", "badminton"]
)


# Letters whose names start with a vowel sound: "an MBA", "an FBI agent", "an X-ray".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
_JOB_AFTER = frozenset({"at", "in", "for", "from", "and", "who", "with", "but", "so", "because", "now"})
_BE_BEFORE_JOB = frozenset({"am", "is", "was", "i'm", "he's", "she's"})


def _acronym_wants_an(text: str) -> bool | None:
    """ "MBA" is read letter by letter; "NASA" is read as a word, whose sound is left undecided."""
    if len(text) <= 3 or not any(c in "AEIOU" for c in text[1:]):
        return text[0] in _VOWEL_LETTERS
    return None


def _wants_an(word: str, text: str = "") -> bool | None:
    if not word or not word[0].isalpha():
        return None
    if len(text) > 1 and text.isupper():
        return _acronym_wants_an(text)
    if word in _VOWEL_SOUND:
        return True
    if word.startswith(_CONSONANT_SOUND):
        return False
    return word[0] in "aeiou"


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word, nxt = token.lower, sentence.word(i + 1)
        # "Plan A is better": a capital "A" inside a sentence is a letter, not the article.
        is_article = token.text in {"a", "an"} or (i == 0 and token.text in {"A", "An"})
        if word in {"a", "an"} and is_article and len(nxt) > 1:
            wants_an = _wants_an(nxt, sentence.tokens[i + 1].text)
            if wants_an is not None and wants_an != (word == "an"):
                right = "an" if wants_an else "a"
                found.append(
                    span(
                        sentence,
                        i,
                        i + 1,
                        f"{right} {sentence.tokens[i + 1].text}",
                        f"Use '{right}' before a word that starts with a {'vowel' if wants_an else 'consonant'} sound.",
                        f"{'모음' if wants_an else '자음'} 소리로 시작하는 단어 앞에는 '{right}'을(를) 씁니다.",
                    )
                )
        elif (
            word in _BE_BEFORE_JOB
            and nxt in _JOBS
            and (sentence.is_boundary(i + 2) or sentence.word(i + 2) in _JOB_AFTER)
        ):
            article = "an" if _wants_an(nxt) else "a"
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 1,
                    f"{article} {sentence.tokens[i + 1].text}",
                    f"A singular job needs an article: '{article} {nxt}'.",
                    f"단수 직업 명사 앞에는 관사 '{article}'가 필요합니다.",
                )
            )
        elif (
            word in {"play", "plays", "played", "playing"}
            and nxt == "the"
            and sentence.word(i + 2) in _SPORTS
        ):
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 2,
                    sentence.tokens[i + 2].text,
                    "No article before the name of a sport.",
                    "운동 경기 이름 앞에는 관사를 쓰지 않습니다.",
                )
            )
    return found
