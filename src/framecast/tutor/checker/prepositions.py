"""Prepositions learners often pick wrong: "married with" → "married to", "depend of" → "depend on"."""

from __future__ import annotations

from framecast.tutor.checker.finding import Finding, span
from framecast.tutor.checker.tokens import Sentence

# (word, wrong preposition) → right preposition; "" removes it.
_PAIRS: dict[tuple[str, str], str] = {
    ("married", "with"): "to",
    ("depend", "of"): "on",
    ("depends", "of"): "on",
    ("depending", "of"): "on",
    ("interested", "about"): "in",
    ("interested", "on"): "in",
    ("interested", "for"): "in",
    ("afraid", "from"): "of",
    ("proud", "for"): "of",
    ("responsible", "of"): "for",
    ("consist", "from"): "of",
    ("consists", "from"): "of",
    ("discuss", "about"): "",
    ("discussed", "about"): "",
    ("listen", "music"): "to music",
    ("listening", "music"): "to music",
    ("listened", "music"): "to music",
    ("explain", "me"): "to me",
    ("explained", "me"): "to me",
    ("go", "to"): "",
    ("went", "to"): "",
    ("come", "to"): "",
    ("came", "to"): "",
}
_SKILLS = frozenset(
    [
        "math",
        "maths",
        "english",
        "sports",
        "science",
        "cooking",
        "singing",
        "dancing",
        "swimming",
        "drawing",
        "music",
        "history",
        "art",
        "tennis",
        "soccer",
        "football",
        "games",
    ]
)
_DAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
_PARTS = frozenset({"morning", "afternoon", "evening"})


def _fix(sentence: Sentence, i: int, j: int, fixed: str, right: str) -> Finding:
    return span(
        sentence,
        i,
        j,
        fixed,
        f"The usual preposition here is '{right}'." if right else "No preposition is needed here.",
        f"이 표현에서는 전치사 '{right}'을(를) 씁니다." if right else "여기에는 전치사가 필요 없습니다.",
    )


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        word, nxt = token.lower, sentence.word(i + 1)
        right = _PAIRS.get((word, nxt))
        if (word, nxt) in {("go", "to"), ("went", "to"), ("come", "to"), ("came", "to")}:
            if sentence.word(i + 2) == "home":
                found.append(_fix(sentence, i, i + 2, f"{token.text} home", ""))
            continue
        if right is not None:
            fixed = f"{token.text} {right}".rstrip()
            found.append(_fix(sentence, i, i + 1, fixed, right.split()[0] if right else ""))
        elif (
            word in {"good", "bad", "better"}
            and nxt == "in"
            and (sentence.word(i + 2) in _SKILLS or sentence.word(i + 2).endswith("ing"))
        ):
            found.append(_fix(sentence, i, i + 1, f"{token.text} at", "at"))
        elif word in {"in", "at"} and nxt in _DAYS:
            found.append(_fix(sentence, i, i, "on", "on"))
        elif word == "in" and nxt == "night":
            found.append(_fix(sentence, i, i, "at", "at"))
        elif word == "at" and nxt == "the" and sentence.word(i + 2) in _PARTS:
            found.append(_fix(sentence, i, i, "in", "in"))
    return found
