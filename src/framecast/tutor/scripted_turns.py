"""What the history tells the scripted tutor about the turn it answers: what the learner said, the
questions it asked and the phrases it taught before, what the learner has talked about. Everything is
read from the messages, so the state survives restarts and the same history gives the same turn."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from framecast.providers.base import ChatMessage
from framecast.tutor import script_questions as bank
from framecast.tutor.brain import Lesson
from framecast.tutor.script_questions import Question

__all__ = ["TAUGHT", "TEACH", "WORD", "Turn", "keywords", "questions_asked", "read_turn"]

TEACH = "Try saying: '{}'"
# The phrase inside a teach line; phrases contain apostrophes ("I'm"), never one before a space.
TAUGHT = re.compile(r"Try saying: '(.+?)'(?=\s|$)")
# A quoted phrase or example after a colon: not the tutor's own question.
_QUOTED = re.compile(r"(?<=: )'.+?'(?=\s|$)")
_SENTENCE = re.compile(r"[^.!?]+[.!?]+|[^.!?]+$")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Turn:
    """What the history says about the turn being answered."""

    said: str
    text: str  # ``said`` in lower case with straight apostrophes
    words: list[str]
    number: int  # 1 for the learner's first message
    seed: int
    asked: set[str]  # normalized questions the tutor asked
    taught: list[str]  # phrases taught, oldest first
    since_teaching: int  # tutor turns since the last one that taught a phrase
    last_reply: str | None
    last_question: Question | None
    last_question_text: str | None
    told: set[str]  # what the learner has talked about: words of theirs, and the topics they name


def questions_asked(tutor_turns: Sequence[str]) -> set[str]:
    """Every question the tutor asked in ``tutor_turns`` (normalized; quoted phrases left out)."""
    asked: set[str] = set()
    for content in tutor_turns:
        for sentence in _questions(content):
            asked.add(bank.normalized(sentence))
    return asked


def _questions(content: str) -> list[str]:
    unquoted = _QUOTED.sub("X.", content)
    return [s.strip() for s in _SENTENCE.findall(unquoted) if s.strip().endswith("?")]


def read_turn(history: Sequence[ChatMessage], lesson: Lesson) -> Turn:
    said = next((m.content.strip() for m in reversed(history) if m.role == "user"), "")
    text = said.lower().replace("\u2019", "'")
    tutor_turns = [m.content for m in history if m.role == "assistant"]
    since = 0
    for content in reversed(tutor_turns):
        if TAUGHT.search(content):
            break
        since += 1
    last_reply = tutor_turns[-1] if tutor_turns else None
    last_questions = _questions(last_reply or "")
    last_text = last_questions[-1] if last_questions else None
    return Turn(
        said=said,
        text=text,
        words=WORD.findall(text),
        number=sum(1 for m in history if m.role == "user"),
        seed=zlib.crc32(lesson.session_id.encode()),
        asked=questions_asked(tutor_turns),
        taught=[p for content in tutor_turns for p in TAUGHT.findall(content)],
        since_teaching=since,
        last_reply=last_reply,
        last_question=bank.find(last_text) if last_text else None,
        last_question_text=last_text,
        told=_told(m.content for m in history if m.role == "user"),
    )


# Words that name what a question is about, and the words of a learner that answer it already.
_ABOUT = {
    "pet": ("pet", "dog", "cat", "puppy", "kitten", "hamster", "fish"),
    "music": ("music", "song", "singer", "band", "k-pop", "kpop", "jazz"),
    "weekend": ("weekend", "saturday", "sunday"),
    "season": ("season", "summer", "winter", "spring", "autumn"),
    "hobbie": ("hobby", "hobbie"),
    "lunch": ("lunch",),
    "breakfast": ("breakfast",),
}


def keywords(question: str) -> set[str]:
    """What ``question`` asks about, among the topics of ``_ABOUT``."""
    words = {w.rstrip("s") for w in WORD.findall(question.lower())}
    return {topic for topic in _ABOUT if topic in words}


def _told(contents: Iterable[str]) -> set[str]:
    """The topics of ``_ABOUT`` the learner has talked about in ``contents``."""
    said = {w.rstrip("s") for content in contents for w in WORD.findall(content.lower())}
    return {topic for topic, words in _ABOUT.items() if said & {w.rstrip("s") for w in words}}
