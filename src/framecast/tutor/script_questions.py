"""The scripted tutor's questions: by topic and level, for free conversation, and follow-ups on what
the learner said. Each has a simpler wording (said when the learner does not understand) and the
tutor's own short answer (said when the learner asks "And you?", or offered as an example answer).

Every text is the tutor's own English: short, spoken by a TTS voice, no Korean.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from framecast.core.errors import ConfigurationError


@dataclass(frozen=True)
class Question:
    text: str
    simple: str  # the same question in fewer, easier words
    # The tutor's own answer, first person, short enough to be an example; None for a question
    # that has no answer of its own ("Can you tell me more about that?").
    answer: str | None


_RESOURCE = "data/script_questions.csv"
_COLUMNS = ["set", "topic", "level", "text", "simple", "answer"]
_LEVELS = ("beginner", "intermediate", "advanced")


def _load() -> tuple[
    dict[str, dict[str, tuple[Question, ...]]],
    dict[str, Question],
    tuple[Question, ...],
    dict[str, tuple[Question, ...]],
]:
    """The packaged questions (``tutor/data/script_questions.csv``), by set: ``topic`` (by topic and
    level), ``free`` (one opening per level), ``everyday``, ``follow_up`` (by what the learner's answer
    was about). An empty ``answer`` is a question with no answer of its own.

    Raises ``ConfigurationError`` naming the line when the packaged file is malformed.
    """
    source = f"framecast/tutor/{_RESOURCE}"
    reader = csv.reader(
        io.StringIO(resources.files("framecast.tutor").joinpath(_RESOURCE).read_text("utf-8"))
    )
    if next(reader, None) != _COLUMNS:
        raise ConfigurationError(f"{source}, line 1: the header must be {','.join(_COLUMNS)}")
    topics: dict[str, dict[str, list[Question]]] = {}
    free: dict[str, Question] = {}
    everyday: list[Question] = []
    follow_ups: dict[str, list[Question]] = {}
    for line, row in enumerate(reader, start=2):
        if len(row) != len(_COLUMNS) or not row[3] or not row[4]:
            raise ConfigurationError(
                f"{source}, line {line}: want {len(_COLUMNS)} fields with a text and a simple one"
            )
        kind, topic, level, text, simple, answer = row
        question = Question(text, simple, answer or None)
        if kind == "topic" and level in _LEVELS:
            topics.setdefault(topic, {}).setdefault(level, []).append(question)
        elif kind == "free" and level in _LEVELS:
            free[level] = question
        elif kind == "everyday":
            everyday.append(question)
        elif kind == "follow_up":
            follow_ups.setdefault(topic, []).append(question)
        else:
            raise ConfigurationError(f"{source}, line {line}: unknown set {kind!r} or level {level!r}")
    return (
        {topic: {level: tuple(qs) for level, qs in cells.items()} for topic, cells in topics.items()},
        free,
        tuple(everyday),
        {about: tuple(qs) for about, qs in follow_ups.items()},
    )


# Questions by topic and level; one opening per level for free conversation; everyday questions; and
# follow-ups on what the learner just said, by what it was about.
TOPIC_QUESTIONS, FREE_OPENINGS, EVERYDAY, FOLLOW_UPS = _load()

# Invitations that move on when every question has been asked: no question, nothing to repeat.
INVITATIONS = (
    "Tell me about anything you like, I'm listening.",
    "You choose the next topic, tell me anything.",
    "Tell me something about your week.",
)

_PUNCT = re.compile(r"[^a-z0-9' ]+")


def normalized(question: str) -> str:
    """A question in a form that compares equal however it is punctuated or capitalised."""
    return " ".join(_PUNCT.sub(" ", question.lower().replace("\u2019", "'")).split())


def candidates(topic: str | None, difficulty: str) -> Iterator[Question]:
    """The questions a lesson may ask, best first: its topic (or free conversation) at its level,
    then easier levels, everyday questions and harder levels; then, so that a long session never
    runs out, the other topics' questions at its level and at the others."""
    order = {
        "beginner": ("beginner", "everyday", "intermediate", "advanced"),
        "intermediate": ("intermediate", "beginner", "everyday", "advanced"),
        "advanced": ("advanced", "intermediate", "beginner", "everyday"),
    }[difficulty]
    for level in order:
        if level == "everyday":
            yield from EVERYDAY
        elif topic in TOPIC_QUESTIONS:
            yield from TOPIC_QUESTIONS[topic][level]
        else:
            yield FREE_OPENINGS[level]
    for level in (difficulty, *(level for level in order if level not in (difficulty, "everyday"))):
        for other, cells in TOPIC_QUESTIONS.items():
            if other != topic:
                yield from cells[level]


@cache
def _known() -> dict[str, Question]:
    every: list[Question] = []
    for cells in TOPIC_QUESTIONS.values():
        for questions in cells.values():
            every.extend(questions)
    every.extend(FREE_OPENINGS.values())
    every.extend(EVERYDAY)
    for questions in FOLLOW_UPS.values():
        every.extend(questions)
    known: dict[str, Question] = {}
    for question in every:
        known.setdefault(normalized(question.text), question)
        known.setdefault(normalized(question.simple), question)
    return known


def find(question: str) -> Question | None:
    """The scripted question ``question`` is (in its usual or its simple wording), or None."""
    return _known().get(normalized(question))


def first_unasked(questions: Iterable[Question], asked: set[str], *, rotate: int = 0) -> Question | None:
    """The first of ``questions`` (starting at ``rotate``, wrapping) not in ``asked`` (normalized)."""
    pool = list(questions)
    for i in range(len(pool)):
        question = pool[(rotate + i) % len(pool)]
        if normalized(question.text) not in asked and normalized(question.simple) not in asked:
            return question
    return None
