"""Prepositions learners often pick wrong: "married with" → "married to", "depend of" → "depend on"."""

from __future__ import annotations

from bench.previous_checker.finding import Finding, span
from bench.previous_checker.tokens import Sentence

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
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_OBJECTS = frozenset({"me", "you", "him", "us", "them"})
_DETERMINERS = frozenset({"the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that"})
_WAIT = frozenset({"wait", "waits", "waited", "waiting"})
_ARRIVE = frozenset({"arrive", "arrives", "arrived", "arriving"})
_REACH = frozenset({"reach", "reaches", "reached", "reaching"})
_ENTER = frozenset({"enter", "enters", "entered", "entering"})
_ROOMS = frozenset(
    [
        "room",
        "classroom",
        "house",
        "building",
        "office",
        "store",
        "shop",
        "restaurant",
        "cafe",
        "school",
        "hall",
        "kitchen",
        "bedroom",
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
        if word in {"explain", "explains", "explained"} and nxt in _OBJECTS | {"her"}:
            found += _explain_to(sentence, i)
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
        elif (word in {"in", "at"} and nxt in _DAYS) or (
            word == "in" and nxt in _MONTHS and sentence.word(i + 2)[:1].isdigit()
        ):
            found.append(_fix(sentence, i, i, "on", "on"))
        elif word in _WAIT and nxt in _OBJECTS:
            found.append(_fix(sentence, i, i, f"{token.text} for", "for"))
        elif word in _ARRIVE and nxt == "to":
            place = sentence.tokens[i + 2].text if len(sentence.tokens) > i + 2 else ""
            if place == "home":
                found.append(_fix(sentence, i, i + 1, token.text, ""))
            elif place[:1].isupper():
                found.append(_fix(sentence, i, i + 1, f"{token.text} in", "in"))
            elif place.lower() in _DETERMINERS:
                found.append(_fix(sentence, i, i + 1, f"{token.text} at", "at"))
        elif (word in _REACH and nxt == "to" and sentence.word(i + 2) in _DETERMINERS) or (
            word in _ENTER
            and nxt == "into"
            and sentence.word(i + 2) in _DETERMINERS
            and sentence.word(i + 3) in _ROOMS
        ):
            found.append(_fix(sentence, i, i + 1, token.text, ""))
        elif word == "in" and nxt == "night":
            found.append(_fix(sentence, i, i, "at", "at"))
        elif word == "at" and nxt == "the" and sentence.word(i + 2) in _PARTS:
            found.append(_fix(sentence, i, i, "in", "in"))
    return found


def _explain_to(sentence: Sentence, i: int) -> list[Finding]:
    """ "explain me why" → "explain to me why"; "explain me the rule" → "explain the rule to me"."""
    verb, person = sentence.tokens[i].text, sentence.tokens[i + 1].text
    after = sentence.word(i + 2)
    if after in {"why", "how", "what", "where", "when", "who", "that", "if"}:
        return [_fix(sentence, i, i + 1, f"{verb} to {person}", "to")]
    if after not in _DETERMINERS | {"it"} or person.lower() == "her":
        return []  # "explain her idea": "her" is not the listener
    end = i + 2
    while not sentence.is_boundary(end + 1):
        end += 1
    thing = " ".join(t.text for t in sentence.tokens[i + 2 : end + 1])
    return [_fix(sentence, i, end, f"{verb} {thing} to {person}", "to")]
