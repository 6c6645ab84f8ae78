"""The tutor's mind as a Protocol: what it says first, how it reads a learner's sentence, what it
answers. Two implementations: the offline scripted tutor (``tutor/scripted.py``: rule-based checker
plus lessons from the practice phrases) and the LLM tutor (``tutor/llm_brain.py``: any
OpenAI-compatible chat model). The conversation engine (``tutor/engine.py``) only sees this Protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from framecast.providers.base import ChatMessage
from framecast.tutor.corrections import Correction

Difficulty = Literal["beginner", "intermediate", "advanced"]
Language = Literal["en", "ko"]
DIFFICULTIES: tuple[Difficulty, ...] = ("beginner", "intermediate", "advanced")
LANGUAGES: tuple[Language, ...] = ("en", "ko")
# Practice-phrase categories, which are also the topics a session can have.
CATEGORIES: tuple[str, ...] = (
    "greeting",
    "daily_life",
    "work",
    "travel",
    "shopping",
    "health",
    "opinions",
    "small_talk",
)

# How the tutor names each topic in a sentence ("let's talk about ...").
TOPIC_PHRASES: dict[str, str] = {
    "greeting": "greetings and introductions",
    "daily_life": "daily life",
    "work": "work",
    "travel": "travel",
    "shopping": "shopping",
    "health": "health",
    "opinions": "sharing opinions",
    "small_talk": "small talk",
}


@dataclass(frozen=True)
class Lesson:
    """What the tutor knows about the session it is in."""

    session_id: str
    difficulty: Difficulty = "beginner"
    topic: str | None = None  # one of CATEGORIES, or None for free conversation
    language: Language = "en"  # language of explanations and feedback
    learner_name: str = ""


@dataclass(frozen=True)
class Analysis:
    """The reading of one learner sentence, as sent in the ``correction`` message."""

    has_errors: bool
    corrections: tuple[Correction, ...]
    better_expression: str | None
    feedback: str


@runtime_checkable
class TutorBrain(Protocol):
    name: str

    async def opening(self, lesson: Lesson) -> str:
        """The first thing the tutor says in a new session."""
        ...

    async def analyse(self, text: str, lesson: Lesson) -> Analysis:
        """Grammar and vocabulary corrections of ``text`` (pronunciation is scored from audio by the
        engine), the better expression, and feedback — explanations in ``lesson.language``."""
        ...

    async def reply(self, history: Sequence[ChatMessage], analysis: Analysis, lesson: Lesson) -> str:
        """The tutor's answer. ``history`` is the whole session from the database, oldest first, and
        ends with the learner's message being answered (exactly once)."""
        ...
