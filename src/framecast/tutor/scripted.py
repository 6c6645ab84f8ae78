"""The offline tutor: the rule-based checker for corrections, and a scripted lesson built from the
practice phrases of the session's topic and difficulty.

Each reply reacts to what the learner said (answers their questions, echoes what they talked
about, asks for a full sentence after a one-word answer, makes things simpler on "I don't
understand"), models the corrected sentence when there were mistakes, then teaches the lesson's
next phrase ("Try saying: '...'") and asks a follow-up question. The lesson's position is
counted from the history (the tutor turns that taught a phrase), so it survives restarts, and the
starting phrase comes from the session id: the same history always gives the same reply.

Replies are spoken by a TTS engine: English only, one to three sentences, under 300 characters.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from framecast.core.errors import ConfigurationError, InvalidInputError
from framecast.providers.base import ChatMessage
from framecast.tutor.brain import CATEGORIES, TOPIC_PHRASES, Analysis, Lesson
from framecast.tutor.checker import check_english
from framecast.tutor.feedback import encouragement, format_feedback
from framecast.tutor.phrases import Phrase, load_phrases, pick

MAX_REPLY_CHARS = 300
TUTOR_NAME = "Sam"

_TEACH = "Try saying: '{}'"
# The phrase inside a teach line; phrases contain apostrophes ("I'm"), never one before a space.
_TAUGHT = re.compile(r"Try saying: '(.+?)'(?=\s|$)")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

_TOPIC_LABELS = TOPIC_PHRASES

# Follow-up questions by category and difficulty; the opening asks the first one.
_QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "greeting": {
        "beginner": ("How are you today?", "Where are you from?", "What do you say when you meet a friend?"),
        "intermediate": (
            "How would you introduce yourself to a new coworker?",
            "How do people usually greet each other in Korea?",
            "Who was the last new person you met?",
        ),
        "advanced": (
            "What makes a good first impression, in your opinion?",
            "How do greetings change between formal and casual situations?",
            "Have you ever had an awkward moment meeting someone new?",
        ),
    },
    "daily_life": {
        "beginner": (
            "What time do you usually get up?",
            "What do you eat for breakfast?",
            "What do you do in the evening?",
        ),
        "intermediate": (
            "What does a typical weekday look like for you?",
            "How do you usually get to work or school?",
            "Which chores do you dislike the most?",
        ),
        "advanced": (
            "What habit would you most like to change in your daily routine?",
            "How do you balance work and free time?",
            "What small thing makes your day better?",
        ),
    },
    "work": {
        "beginner": ("What do you do for work?", "Do you like your job?", "What time do you start work?"),
        "intermediate": (
            "What do you enjoy most about your job?",
            "What does a busy day at work look like for you?",
            "How do you get along with your coworkers?",
        ),
        "advanced": (
            "How do you handle a tight deadline?",
            "What would your dream job look like?",
            "How has your field changed in the last few years?",
        ),
    },
    "travel": {
        "beginner": (
            "Do you like to travel?",
            "Where do you want to go next?",
            "Do you like trains or planes?",
        ),
        "intermediate": (
            "Where did you go on your last trip?",
            "What do you always pack in your suitcase?",
            "Do you prefer the beach or the mountains?",
        ),
        "advanced": (
            "What's the most memorable trip you've ever taken?",
            "How do you usually plan a trip abroad?",
            "What would you recommend to a tourist visiting Korea?",
        ),
    },
    "shopping": {
        "beginner": ("Do you like shopping?", "What did you buy last?", "Where do you buy clothes?"),
        "intermediate": (
            "Do you prefer shopping online or in stores?",
            "What was the last gift you bought for someone?",
            "How do you find good deals?",
        ),
        "advanced": (
            "Have you ever regretted buying something expensive?",
            "How do you decide whether something is worth the price?",
            "How has online shopping changed the way you buy things?",
        ),
    },
    "health": {
        "beginner": ("Do you exercise?", "Do you sleep well?", "What healthy food do you like?"),
        "intermediate": (
            "What do you do to stay healthy?",
            "How do you feel when you don't get enough sleep?",
            "What do you do when you catch a cold?",
        ),
        "advanced": (
            "How do you deal with stress?",
            "What's one health habit you've been trying to build?",
            "Do you think people today are healthier than in the past?",
        ),
    },
    "opinions": {
        "beginner": (
            "What is your favorite movie?",
            "Do you like cats or dogs?",
            "What food do you like best?",
        ),
        "intermediate": (
            "Would you rather live in a city or in the countryside?",
            "What do you think about working from home?",
            "Is it better to read the book or watch the movie?",
        ),
        "advanced": (
            "What's an opinion you've changed over the years?",
            "Do you think technology makes us happier?",
            "What's something most people like that you don't?",
        ),
    },
    "small_talk": {
        "beginner": (
            "How is the weather today?",
            "What did you do last weekend?",
            "Do you have any hobbies?",
        ),
        "intermediate": (
            "Have you watched anything good lately?",
            "What are your plans for this weekend?",
            "What's the best café near you?",
        ),
        "advanced": (
            "What's been keeping you busy lately?",
            "What's something interesting you've learned recently?",
            "If you had a free day tomorrow, how would you spend it?",
        ),
    },
}
_FREE_QUESTIONS = {
    "beginner": "How are you today?",
    "intermediate": "How has your day been so far?",
    "advanced": "What's been on your mind lately?",
}

_NOT_UNDERSTOOD = (
    "don't understand",
    "do not understand",
    "didn't understand",
    "did not understand",
    "don't get it",
    "what do you mean",
    "what does that mean",
    "say that again",
    "say it again",
    "repeat that",
    "please repeat",
    "repeat please",
    "more slowly",
    "too difficult",
    "too hard",
    "i'm confused",
    "i am confused",
    "pardon",
)
_GOODBYES = (
    "goodbye",
    "good bye",
    "bye",
    "good night",
    "see you later",
    "see you tomorrow",
    "see you next time",
    "see you soon",
    "i have to go",
    "i've got to go",
    "i gotta go",
    "talk to you later",
)
_GREETINGS = ("hi", "hello", "hey", "good morning", "good afternoon", "good evening")
_YES = frozenset({"yes", "yeah", "yep", "yup", "sure", "definitely", "absolutely", "ok", "okay", "of course"})
_NO = frozenset({"no", "nope", "not really", "never", "not at all"})
# Word lists kept as text: one frozenset per list, split once at import.
_GOOD_FEELINGS_TEXT = (
    "good fine great happy well excited okay ok glad wonderful excellent amazing alright relaxed"
)
_BAD_FEELINGS_TEXT = (
    "tired sad sick busy stressed bored hungry sleepy nervous worried exhausted upset lonely angry"
)
# Words that end a noun phrase, or that would make an echo sound odd.
_STOP_TEXT = """
i me you he she it we they him her us them my your his our their its this that these those
the a an some any is are was were am be been being do does did have has had will would can could
should may might must to in on at with for from of about by after before into during over under
and but or so because when if than then there here now today tomorrow yesterday tonight every
very really too also not just again always usually often sometimes never lot lots bit little few
couple time times thing things kind sort way name much many more most
"""
_GOOD_FEELINGS = frozenset(_GOOD_FEELINGS_TEXT.split())
_BAD_FEELINGS = frozenset(_BAD_FEELINGS_TEXT.split())
_STOP = frozenset(_STOP_TEXT.split())
_POSSESSIVES = {"my": "your", "our": "your"}
_SWAP = {
    "my": "your",
    "our": "your",
    "me": "you",
    "i": "you",
    "mine": "yours",
    "myself": "yourself",
    "am": "are",
}

Kind = Literal["silence", "goodbye", "simpler", "more", "answer", "echo"]


@dataclass(frozen=True)
class _Reaction:
    kind: Kind
    text: str


class ScriptedTutor:
    """The offline TutorBrain: no network, no model, fast enough for the hot path."""

    name = "offline"

    def __init__(self, phrases: Sequence[Phrase] | None = None) -> None:
        """Raises ``ConfigurationError`` when ``phrases`` is empty."""
        self._phrases = tuple(load_phrases() if phrases is None else phrases)
        if not self._phrases:
            raise ConfigurationError("the scripted tutor needs at least one practice phrase")

    async def analyse(self, text: str, lesson: Lesson) -> Analysis:
        result = check_english(text, language=lesson.language)
        better = result.corrected_text if result.has_errors else None
        overall = encouragement(len(result.corrections), lesson.language, seed=zlib.crc32(text.encode()))
        return Analysis(
            has_errors=result.has_errors,
            corrections=result.corrections,
            better_expression=better,
            feedback=format_feedback(result.corrections, better, overall, lesson.language),
        )

    async def opening(self, lesson: Lesson) -> str:
        name = _speakable_name(lesson.learner_name)
        hello = f"Hi {name}!" if name else "Hi there!"
        if lesson.topic in _TOPIC_LABELS:
            intro = (
                f"I'm {TUTOR_NAME}, your English tutor, and today let's practise talking about "
                f"{_TOPIC_LABELS[lesson.topic]}."
            )
            question = _QUESTIONS[lesson.topic][lesson.difficulty][0]
        else:
            intro = f"I'm {TUTOR_NAME}, your English tutor, and today we can talk about anything you like."
            question = _FREE_QUESTIONS[lesson.difficulty]
        return f"{hello} {intro} {question}"

    async def reply(self, history: Sequence[ChatMessage], analysis: Analysis, lesson: Lesson) -> str:
        said = next((m.content.strip() for m in reversed(history) if m.role == "user"), "")
        tutor_turns = [m.content for m in history if m.role == "assistant"]
        step = sum(1 for content in tutor_turns if _TAUGHT.search(content))
        last_taught = _last_taught(tutor_turns)
        reaction = _react(said, analysis, lesson, last_taught, step)

        if reaction.kind in ("silence", "goodbye"):
            return reaction.text
        correction = _correction(analysis)
        if reaction.kind == "more":
            return _fit([reaction.text, correction] if correction else [reaction.text])
        difficulty = "beginner" if reaction.kind == "simpler" else lesson.difficulty
        phrase = self._phrase(lesson, difficulty, step)
        questions = _QUESTIONS[phrase.category][difficulty]
        question = questions[(step + 1) % len(questions)]
        teach = _TEACH.format(phrase.english)
        if reaction.kind == "simpler":
            return _fit([reaction.text, teach, question])
        if not correction:
            return _fit([reaction.text, teach, question])
        if reaction.kind == "echo":
            # The corrected sentence already repeats what the learner said.
            return _fit([correction, teach, question])
        return _fit([reaction.text, correction, teach])

    def _phrase(self, lesson: Lesson, difficulty: str, step: int) -> Phrase:
        index = zlib.crc32(lesson.session_id.encode()) + step
        category = lesson.topic if lesson.topic in CATEGORIES else None
        try:
            return pick(self._phrases, category=category, difficulty=difficulty, index=index)
        except InvalidInputError:
            # A custom phrase list may lack this cell: any phrase beats no lesson at all.
            return pick(self._phrases, category=None, difficulty=self._phrases[0].difficulty, index=index)


def _react(said: str, analysis: Analysis, lesson: Lesson, last_taught: str | None, step: int) -> _Reaction:
    """How the tutor responds to what the learner said, before moving the lesson on."""
    text = said.lower().replace("\u2019", "'")
    words = _WORD.findall(text)
    name = _speakable_name(lesson.learner_name)
    if not words:
        return _Reaction("silence", "Sorry, I didn't catch that. Could you say it again?")
    if last_taught and _similar(text, last_taught):
        if analysis.has_errors:
            return _Reaction("answer", "Almost, that was very close!")
        praise = (
            "Well said, that sounded very natural!",
            "Perfect, you said it just right!",
            "Great job repeating that!",
        )
        return _Reaction("answer", praise[step % len(praise)])
    if any(p in text for p in _NOT_UNDERSTOOD) or text.strip(" ?!.") in ("what", "huh", "sorry"):
        return _Reaction("simpler", "No problem, let me make it simpler.")
    if any(_has_phrase(words, p) for p in _GOODBYES):
        return _Reaction(
            "goodbye", f"Goodbye{', ' + name if name else ''}! You did a great job today, see you next time."
        )
    answer = _answer_question(text)
    if answer:
        return _Reaction("answer", answer)
    named = re.search(r"\bmy name is ([a-z]+)", text)
    if named:
        original = re.search(rf"\b{named.group(1)}\b", said, re.IGNORECASE)
        learner = original.group(0) if original else named.group(1)
        return _Reaction("answer", f"Nice to meet you, {learner[:1].upper()}{learner[1:]}!")
    if any(_starts_with(words, g) for g in _GREETINGS) and len(words) <= 5:
        return _Reaction("answer", f"Hello{', ' + name if name else ''}, it's nice to talk with you!")
    joined = " ".join(words)
    if len(words) <= 3 and (joined in _YES or words[0] in _YES):
        return _Reaction("more", "Great! Can you tell me a little more, in a full sentence?")
    if len(words) <= 3 and (joined in _NO or words[0] in _NO):
        return _Reaction("more", "Okay, no problem! Can you tell me why, in a full sentence?")
    if len(words) <= 2:
        echo = " ".join(words) if not all(w in _STOP for w in words) else ""
        lead = f"{echo[:1].upper()}{echo[1:]}, okay!" if echo else "Okay!"
        return _Reaction("more", f"{lead} Can you say that in a full sentence?")
    if said.rstrip().endswith("?"):
        return _Reaction("answer", "That's a great question to practise!")
    source = analysis.better_expression if analysis.has_errors and analysis.better_expression else said
    return _Reaction("echo", _echo(source.lower().replace("\u2019", "'"), step))


def _answer_question(text: str) -> str | None:
    """The tutor's answer when the learner asks it something it knows about."""
    if re.search(
        r"\b(how are (you|u)|how's it going|how is it going|how have you been|how do you do)\b", text
    ):
        return "I'm doing great, thanks for asking!"
    if re.search(r"\b(your name|who are you)\b", text):
        return f"My name is {TUTOR_NAME}, and I'm your English tutor."
    if re.search(r"\b(can|could|will|would) you (please )?help\b|\bhelp me\b|\bneed (your )?help\b", text):
        return "Of course I can help you, that's what I'm here for!"
    if re.search(r"\bwhere (are you from|do you live)\b", text):
        return "I live inside this app, so I can chat with learners from all over the world!"
    if re.search(r"\b(and you|what about you|how about you)\b", text):
        return "Thanks for asking, I'm really enjoying our chat!"
    if re.search(r"\bthank(s| you)\b", text) and not re.match(r"no\b", text):
        return "You're very welcome!"
    if re.match(r"(i'm |i am )?sorry\b", text):
        return "No need to apologise, you're doing well!"
    return None


def _echo(text: str, step: int) -> str:
    """A sentence acknowledging what the learner talked about (``text`` is lower case)."""
    feeling = re.search(r"\bi(?: am|'m) (?:so |very |really |a bit |a little |quite |pretty )?([a-z]+)", text)
    if feeling and feeling.group(1) in _GOOD_FEELINGS:
        return f"Glad to hear you're {feeling.group(1)}!"
    if feeling and feeling.group(1) in _BAD_FEELINGS:
        return f"Oh, sorry to hear you're {feeling.group(1)}."
    liking = re.search(r"\bi (?:really |also |just |do )?(like|love|enjoy|prefer) ([a-z' ]+)", text)
    if liking:
        thing = _clause(liking.group(2))
        if thing:
            templates = ("You {} {}? That's great!", "Oh, you {} {}, nice!", "So you {} {}, I like that!")
            return templates[step % len(templates)].format(liking.group(1), thing)
    phrase = _noun_phrase(text)
    if phrase:
        templates = ("Oh, {}, how nice!", "Thanks for telling me about {}.", "{} sounds interesting!")
        sentence = templates[step % len(templates)].format(phrase)
        return sentence[:1].upper() + sentence[1:]
    generic = ("I see, thanks for sharing that.", "That's interesting!", "Okay, I understand.")
    return generic[step % len(generic)]


def _clause(text: str) -> str:
    """The first few words of ``text``, up to a conjunction, with my/me turned into your/you."""
    kept: list[str] = []
    for word in text.split():
        if word in ("and", "but", "because", "so", "when", "if", "though", "although") or len(kept) == 5:
            break
        kept.append(_SWAP.get(word, word))
    return " ".join(kept)


def _noun_phrase(text: str) -> str | None:
    """A short noun phrase (``my new job`` → ``your new job``), preferring the learner's own things."""
    words = _WORD.findall(text)
    found: list[str] = []
    for i, word in enumerate(words):
        if word not in ("my", "our", "the", "a", "an"):
            continue
        body: list[str] = []
        for nxt in words[i + 1 : i + 4]:
            if nxt in _STOP or nxt.isdigit():
                break
            body.append(nxt)
        if body:
            phrase = " ".join([_POSSESSIVES.get(word, word), *body])
            if word in _POSSESSIVES:
                return phrase
            found.append(phrase)
    return found[0] if found else None


def _correction(analysis: Analysis) -> str | None:
    if not analysis.has_errors or not analysis.better_expression:
        return None
    better = analysis.better_expression.strip()
    if len(better) > 160:
        return "Good try, have a look at the corrections on your screen."
    return f"You could say: '{better}'"


def _fit(parts: list[str]) -> str:
    """The parts joined, dropping the last ones until the reply fits ``MAX_REPLY_CHARS``."""
    while len(parts) > 1 and len(" ".join(parts)) > MAX_REPLY_CHARS:
        parts = parts[:-1]
    return " ".join(parts)[:MAX_REPLY_CHARS]


def _last_taught(tutor_turns: Sequence[str]) -> str | None:
    if not tutor_turns:
        return None
    found = _TAUGHT.search(tutor_turns[-1])
    return found.group(1) if found else None


def _similar(said: str, phrase: str) -> bool:
    """Whether the learner repeated ``phrase`` (ignoring case and punctuation, small slips allowed)."""
    a = " ".join(_WORD.findall(said))
    b = " ".join(_WORD.findall(phrase.lower().replace("\u2019", "'")))
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def _has_phrase(words: Sequence[str], phrase: str) -> bool:
    target = phrase.split()
    return any(list(words[i : i + len(target)]) == target for i in range(len(words) - len(target) + 1))


def _starts_with(words: Sequence[str], phrase: str) -> bool:
    target = phrase.split()
    return list(words[: len(target)]) == target


def _speakable_name(name: str) -> str:
    """``name`` when the TTS voice can read it (Latin letters), else "" (it would be mangled)."""
    name = " ".join(name.split())[:40]
    for ch in name:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return ""
    return name
