"""The LLM tutor: any OpenAI-compatible chat model (``providers.base.ChatModel``) as the TutorBrain.

Three calls, after the original tutor's prompts (shared/reference §1.6), with its faults fixed:
the correction JSON is validated by a pydantic schema with one repair round (``complete_json``),
its types are the ones the database counts ("expression" becomes vocabulary), a correction whose
``original`` is not in the learner's sentence is dropped, explanations come in the lesson's
language, the learner's message is sent once, and a failing model raises its ``ProviderError``
instead of being papered over with a canned answer.

The reply is the model's. The corrections are the model's only when they pass the offline
checker (``tutor/checking.py``: the learner's sentence with the model's corrections applied must
have nothing left to correct); otherwise, and when the model's JSON stays invalid (small local
models), they are the offline checker's own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from framecast.core.errors import PermanentError
from framecast.providers.base import ChatMessage, ChatModel
from framecast.providers.openrouter.json_reply import complete_json
from framecast.tutor.brain import TOPIC_PHRASES, Analysis, Language, Lesson
from framecast.tutor.checking import accepted_corrections, check, offline_analysis
from framecast.tutor.corrections import Correction
from framecast.tutor.feedback import format_feedback

log = logging.getLogger(__name__)

ANALYSIS_TEMPERATURE = 0.3
REPLY_TEMPERATURE = 0.7
OPENING_TEMPERATURE = 0.8
# The most recent messages sent with a reply: enough context, bounded cost.
HISTORY_LIMIT = 40

_EXPERT = "You are an English grammar and expression expert who helps Korean learners of English."
_LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "ko": "Korean (한국어)"}
_TOPIC_LABELS = TOPIC_PHRASES
_LEVEL_STYLE = {
    "beginner": "Use simple, common words and short sentences.",
    "intermediate": "Use natural everyday English at a moderate pace.",
    "advanced": "Use rich, natural and idiomatic English.",
}
# Names models use for a correction type, mapped to the types the database counts.
_TYPE_ALIASES = {
    "expression": "vocabulary",
    "word choice": "vocabulary",
    "word_choice": "vocabulary",
    "wording": "vocabulary",
    "phrasing": "vocabulary",
    "idiom": "vocabulary",
    "usage": "vocabulary",
    "spelling": "vocabulary",
    "style": "vocabulary",
    "tense": "grammar",
    "article": "grammar",
    "preposition": "grammar",
    "agreement": "grammar",
    "syntax": "grammar",
    "word order": "grammar",
}
_SEVERITY_ALIASES = {"minor": "low", "moderate": "medium", "major": "high", "critical": "high"}


class CorrectionItem(BaseModel):
    """One correction as the model writes it."""

    model_config = ConfigDict(title="correction")

    type: Literal["grammar", "vocabulary", "pronunciation"]
    original: str = Field(description="the wrong part, copied exactly from the learner's sentence")
    corrected: str = Field(description="what replaces it")
    explanation: str = Field(default="", description="why, briefly")
    severity: Literal["low", "medium", "high"] = "medium"

    @field_validator("type", mode="before")
    @classmethod
    def _known_type(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower()
            return _TYPE_ALIASES.get(key, key)
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _known_severity(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower()
            return _SEVERITY_ALIASES.get(key, key)
        return value


class CorrectionReport(BaseModel):
    """The correction JSON the model is asked for."""

    model_config = ConfigDict(title="correction_report")

    has_errors: bool
    corrections: list[CorrectionItem] = Field(default_factory=list)
    better_expression: str | None = None
    overall_feedback: str = ""


class LLMTutor:
    """The TutorBrain behind a chat model; every call raises what ``model.complete`` raises."""

    def __init__(self, model: ChatModel) -> None:
        self._model = model
        self.name = f"llm:{model.name}"

    async def analyse(self, text: str, lesson: Lesson) -> Analysis:
        """The model's corrections when they pass the offline checker, else the checker's. Raises
        the model's ``ProviderError`` (a JSON reply that stays invalid is not one: the checker's
        corrections are used)."""
        messages = [
            ChatMessage(role="system", content=_EXPERT),
            ChatMessage(role="user", content=_analysis_prompt(text, lesson)),
        ]
        try:
            report = await complete_json(
                self._model, messages, CorrectionReport, temperature=ANALYSIS_TEMPERATURE
            )
        except PermanentError as exc:
            if not isinstance(exc.__cause__, ValidationError):
                raise
            log.warning("%s: unusable correction JSON, the offline checker's corrections are used", self.name)
            return offline_analysis(text, lesson.language)
        corrections = tuple(c for c in (_anchored(item, text) for item in report.corrections) if c)
        better = (report.better_expression or "").strip() or None
        if better is not None and _same_text(better, text):
            better = None
        accepted = accepted_corrections(text, corrections, better)
        if accepted is None:
            return offline_analysis(text, lesson.language)
        corrections, better = accepted
        # The model's "no errors" is vouched for only as far as the checker vouches for the text.
        confirmed = not corrections and check(text).confirmed_correct
        return Analysis(
            has_errors=bool(corrections),
            corrections=corrections,
            better_expression=better,
            feedback=format_feedback(
                corrections, better, report.overall_feedback, lesson.language, confirmed_correct=confirmed
            ),
        )

    async def opening(self, lesson: Lesson) -> str:
        messages = [
            ChatMessage(role="system", content=_teacher_prompt(lesson)),
            ChatMessage(role="user", content=_opening_request(lesson)),
        ]
        reply = await self._model.complete(messages, temperature=OPENING_TEMPERATURE)
        return reply.strip()

    async def reply(self, history: Sequence[ChatMessage], analysis: Analysis, lesson: Lesson) -> str:
        """The next tutor line; ``history`` goes to the model once, as it is (the last
        ``HISTORY_LIMIT`` messages)."""
        system = _teacher_prompt(lesson)
        if analysis.has_errors and analysis.better_expression:
            system += (
                "\nThe learner's last message had mistakes; they are shown on screen already, so do "
                "not list them. Just use the correct form naturally in your reply, e.g. "
                f'"{analysis.better_expression}".'
            )
        turns = [m for m in history if m.role != "system"][-HISTORY_LIMIT:]
        messages = [ChatMessage(role="system", content=system), *turns]
        reply = await self._model.complete(messages, temperature=REPLY_TEMPERATURE)
        return reply.strip()


def _teacher_prompt(lesson: Lesson) -> str:
    name = lesson.learner_name.strip()
    topic = _TOPIC_LABELS.get(lesson.topic or "", lesson.topic) if lesson.topic else None
    lines = [
        "You are an experienced, warm English teacher having a spoken conversation with a Korean "
        f"learner of English{f' named {name}' if name else ''}.",
        f"The learner's level is {lesson.difficulty}. {_LEVEL_STYLE[lesson.difficulty]}",
        f"Today's topic is {topic}."
        if topic
        else "This is a free conversation on any topic the learner likes.",
        "Keep every reply short: one to three sentences. React to what the learner said, gently "
        "model a more natural expression when it helps, be encouraging, and end with one follow-up "
        "question.",
        "When the learner asks you something, answer it briefly first, as a person would. Never ask "
        "a question you have already asked in this conversation. When the learner does not "
        "understand, say your last message again in shorter sentences with simpler words. Never "
        "repeat the learner's mistakes back to them, and do not list corrections: they are shown "
        "on screen.",
        "Your reply is read aloud by a text-to-speech voice: write plain English sentences only, "
        "without emoji, lists, markdown or Korean text.",
    ]
    return "\n".join(lines)


def _opening_request(lesson: Lesson) -> str:
    topic = _TOPIC_LABELS.get(lesson.topic or "", lesson.topic) if lesson.topic else None
    about = f"introduce today's topic, {topic}," if topic else "say that we can talk about anything,"
    return (
        f"Start the lesson: greet the learner in a casual, friendly way, {about} and ask one simple "
        f"first question that suits a {lesson.difficulty} learner. One to three sentences."
    )


def _analysis_prompt(text: str, lesson: Lesson) -> str:
    language = _LANGUAGE_NAMES[lesson.language]
    return f"""Check this sentence spoken by a {lesson.difficulty} learner of English:

<sentence>{text}</sentence>

It comes from speech recognition, so ignore capitalisation and punctuation. Report only real
mistakes in grammar or word choice; a correct sentence has no corrections.

Answer with a JSON object only:
- "has_errors": true or false
- "corrections": a list of objects with
  - "type": "grammar" or "vocabulary" (word choice and unnatural expressions are vocabulary)
  - "original": the wrong part, copied exactly from the sentence (a substring of it)
  - "corrected": the corrected text for that part
  - "explanation": a brief explanation written in {language}
  - "severity": "low", "medium" or "high"
- "better_expression": a more natural way to say the whole sentence, or null if it is already natural
- "overall_feedback": one short, encouraging sentence written in {language}"""


def _anchored(item: CorrectionItem, text: str) -> Correction | None:
    """The correction with ``original`` as it appears in ``text``; None when it is not there."""
    original = item.original.strip()
    if not original or _same_text(original, item.corrected):
        return None
    found = re.search(re.escape(original), text, re.IGNORECASE)
    if found is None:
        return None
    return Correction(
        type=item.type,
        original=found.group(0),
        corrected=item.corrected.strip(),
        explanation=item.explanation.strip(),
        severity=item.severity,
    )


def _same_text(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()
