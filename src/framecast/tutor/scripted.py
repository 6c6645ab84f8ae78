"""The offline tutor: the rule-based checker for corrections, and a scripted conversation that
follows the learner.

Each reply answers what the learner said: it answers their questions ("Do you like coffee?"),
says its last message again more simply on "I don't understand" (or an example answer the second
time), asks for a full sentence after a one-word answer, and otherwise reacts to what they talked
about, then asks a question it has not asked in this session. Its shape varies: a reaction and a
question, sometimes the tutor's own answer to the question just answered, sometimes a follow-up on
what the learner said, and now and then a practice phrase of the lesson ("Try saying: '...'"),
preferably one about what is being talked about.

Two rules keep mistakes out of the tutor's mouth: the correction card shows a correction, so the
reply never lists it again ("You could say ..."); and the tutor quotes the learner only as
``tutor/echoes.py`` allows (the corrected form, small safe pieces, checked again).

Everything is read from the history (questions asked, phrases taught), so the state survives
restarts, and the same history always gives the same reply. Replies are spoken by a TTS engine:
English only, one to three sentences, under 300 characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher

from framecast.core.errors import ConfigurationError, InvalidInputError
from framecast.core.text import is_hangul, word_set
from framecast.providers.base import ChatMessage
from framecast.tutor import script_questions as bank
from framecast.tutor.brain import CATEGORIES, TOPIC_PHRASES, Analysis, Lesson
from framecast.tutor.checking import offline_analysis
from framecast.tutor.echoes import Echo, echo, quotable_source
from framecast.tutor.learner_questions import TUTOR_NAME, Answer, answer, is_question
from framecast.tutor.phrases import Phrase, load_phrases, pick
from framecast.tutor.scripted_turns import TAUGHT, TEACH, WORD, Turn, keywords, questions_asked, read_turn

__all__ = ["MAX_REPLY_CHARS", "TUTOR_NAME", "ScriptedTutor", "questions_asked"]

MAX_REPLY_CHARS = 300

# How each topic is named to a learner who did not understand.
_SIMPLE_TOPICS = {
    "greeting": "saying hello",
    "daily_life": "your day",
    "work": "work",
    "travel": "travel",
    "shopping": "shopping",
    "health": "health",
    "opinions": "what you like",
    "small_talk": "everyday things",
}

_NOT_UNDERSTOOD = (
    "don't understand",
    "dont understand",
    "do not understand",
    "didn't understand",
    "did not understand",
    "don't get it",
    "didn't get it",
    "what do you mean",
    "what does that mean",
    "what does it mean",
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
    "i don't know what you",
)
_NOT_UNDERSTOOD_KO = (
    "모르겠",
    "이해가 안",
    "이해 안",
    "이해를 못",
    "이해 못",
    "무슨 말",
    "무슨 뜻",
    "뭐라고",
    "다시 말해",
    "천천히",
    "어려워",
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


_DONT_KNOW = re.compile(
    r"^(hmm+,? |um+,? |well,? )?"
    r"(i don't know|i dont know|i do not know|no idea|i'm not sure|i am not sure|not sure)\b"
)
_FILLER = word_set("i me you it the a an is am are my your and so")

_SIMPLER = (
    "No problem, I'll say it more simply.",
    "Sorry! Here it is in easy words.",
    "Okay, more simply now.",
)
_ACKS = (
    "I see, thanks for sharing that.",
    "That's interesting!",
    "Okay, I understand.",
    "Nice, thanks for telling me.",
    "Sounds good!",
)
# After a corrected sentence that cannot be said back: the card shows the fix, the reply moves on.
_UNDERSTOOD = (
    "Good try, I understood you!",
    "Thanks, that's a good answer.",
    "Nice, you're getting there!",
)
_PRAISE = (
    "Well said, that sounded very natural!",
    "Perfect, you said it just right!",
    "Great job repeating that!",
)
_BOUNCES = ("What about you?", "And you?", "How about you?")
_MORE = (
    "Can you tell me a little more, in a full sentence?",
    "Can you say that in a full sentence?",
    "Could you answer with a full sentence?",
)
_WHY = ("Can you tell me why, in a full sentence?", "Why not? Tell me in a full sentence.")
_AGAIN = (
    "Sorry, I didn't catch that. Could you say it again?",
    "Sorry, I missed that. Please say it one more time.",
)


class ScriptedTutor:
    """The offline TutorBrain: no network, no model, fast enough for the hot path."""

    name = "offline"

    def __init__(self, phrases: Sequence[Phrase] | None = None) -> None:
        """Raises ``ConfigurationError`` when ``phrases`` is empty."""
        self._phrases = tuple(load_phrases() if phrases is None else phrases)
        if not self._phrases:
            raise ConfigurationError("the scripted tutor needs at least one practice phrase")

    async def analyse(self, text: str, lesson: Lesson) -> Analysis:
        return offline_analysis(text, lesson.language)

    async def opening(self, lesson: Lesson) -> str:
        name = _speakable_name(lesson.learner_name)
        hello = f"Hi {name}!" if name else "Hi there!"
        if lesson.topic in TOPIC_PHRASES:
            intro = (
                f"I'm {TUTOR_NAME}, your English tutor, and today let's practise talking about "
                f"{TOPIC_PHRASES[lesson.topic]}."
            )
        else:
            intro = f"I'm {TUTOR_NAME}, your English tutor, and today we can talk about anything you like."
        first = next(bank.candidates(lesson.topic, lesson.difficulty))
        return f"{hello} {intro} {first.text}"

    async def reply(self, history: Sequence[ChatMessage], analysis: Analysis, lesson: Lesson) -> str:
        turn = read_turn(history, lesson)
        text, words = turn.text, turn.words
        name = _speakable_name(lesson.learner_name)
        if any(p in turn.said for p in _NOT_UNDERSTOOD_KO) or _not_understood(text):
            return self._simpler(turn, lesson)
        if not words:
            if any(is_hangul(ch) for ch in turn.said):
                return "Let's keep it in English! Try to say it with easy English words."
            return _AGAIN[turn.number % len(_AGAIN)]
        last_taught = TAUGHT.findall(turn.last_reply or "")
        if last_taught and _similar(text, last_taught[-1]):
            good = not analysis.has_errors
            praise = _PRAISE[turn.number % len(_PRAISE)] if good else "Almost, that was very close!"
            return _fit([praise], self._question(turn, lesson))
        if any(_has_phrase(words, p) for p in _GOODBYES):
            return f"Goodbye{', ' + name if name else ''}! You did a great job today, see you next time."

        answered = answer(turn.said, text, turn.last_question, self._phrases, turn.number)
        if answered is not None:
            return self._after_answer(turn, lesson, answered)
        if _DONT_KNOW.search(text) and len(words) <= 6:
            return self._dont_know(turn, lesson)
        named = re.search(r"\bmy name is ([a-z]+)", text)
        if named:
            original = re.search(rf"\b{named.group(1)}\b", turn.said, re.IGNORECASE)
            learner = original.group(0) if original else named.group(1)
            return _fit(
                [f"Nice to meet you, {learner[:1].upper()}{learner[1:]}!"], self._question(turn, lesson)
            )
        if any(_starts_with(words, g) for g in _GREETINGS) and len(words) <= 5:
            hello = f"Hello{', ' + name if name else ''}, it's nice to talk with you!"
            return _fit([hello], self._question(turn, lesson))
        if re.search(r"\bthank(s| you)\b", text) and not re.match(r"no\b", text) and len(words) <= 5:
            return _fit(["You're very welcome!"], self._question(turn, lesson))
        if re.match(r"(i'm |i am )?sorry\b", text) and len(words) <= 5:
            return _fit(["No need to apologise, you're doing well!"], self._question(turn, lesson))
        if len(words) <= 3 and not is_question(text):
            short = self._short_answer(turn, analysis)
            if short is not None:
                return short
        return self._statement(turn, analysis, lesson)

    # -- the kinds of reply -------------------------------------------------------------------

    def _simpler(self, turn: Turn, lesson: Lesson) -> str:
        """The last reply again, more simply; an example answer when that was simplified already."""
        lead = _SIMPLER[turn.number % len(_SIMPLER)]
        last = turn.last_reply or ""
        if last.startswith((*_SIMPLER, "No problem!", "For example")):
            if turn.last_question is not None and turn.last_question.answer:
                return _fit([f"For example, you can say: '{turn.last_question.answer}'"], "Now you try!")
            easy = bank.first_unasked(bank.candidates(lesson.topic, "beginner"), turn.asked)
            return _fit(["Let's try an easy one."], easy.simple if easy else bank.INVITATIONS[0])
        if turn.last_question is not None:
            question = turn.last_question.simple
        elif turn.last_question_text and len(turn.last_question_text.split()) <= 8:
            question = turn.last_question_text
        else:
            easy = bank.first_unasked(bank.candidates(lesson.topic, "beginner"), turn.asked)
            question = easy.simple if easy else bank.INVITATIONS[0]
        middle: list[str] = []
        if turn.number == 1:  # the greeting: who is talking, and about what
            about = _SIMPLE_TOPICS.get(lesson.topic or "", "anything you like")
            lead = "No problem!"
            middle.append(f"I'm {TUTOR_NAME}, and today we talk about {about}.")
        else:
            phrase = TAUGHT.findall(last)
            if phrase and len(phrase[-1].split()) <= 6:
                middle.append(f"Say this after me: '{phrase[-1]}'")
        return _fit([lead, *middle], question)

    def _after_answer(self, turn: Turn, lesson: Lesson, answered: Answer) -> str:
        """The tutor answered the learner's question: ask it back, or go on with the lesson."""
        if not answered.then_ask:
            return answered.text
        if answered.ask_back:
            bounce = next((b for b in _BOUNCES if bank.normalized(b) not in turn.asked), None)
            if bounce is not None:
                return _fit([answered.text], bounce)
        return _fit([answered.text], self._question(turn, lesson))

    def _dont_know(self, turn: Turn, lesson: Lesson) -> str:
        """ "I don't know": that is fine; an example answer to the question, then another one."""
        parts = ["That's okay, it's not an easy one!"]
        if turn.last_question is not None and turn.last_question.answer:
            parts.append(f"I would say: '{turn.last_question.answer}'")
        return _fit(parts, self._question(turn, lesson))

    def _short_answer(self, turn: Turn, analysis: Analysis) -> str | None:
        """A one to three word answer: ask for a full sentence, with an example when one fits."""
        words, joined = turn.words, " ".join(turn.words)
        prompts: tuple[str, ...]
        if joined in _YES or words[0] in _YES:
            lead, prompts = "Great!", _MORE
        elif joined in _NO or words[0] in _NO:
            lead, prompts = "Okay, no problem!", _WHY
        elif len(words) <= 2:
            source = quotable_source(turn.said, analysis) or ""
            shown = [
                w for w in re.findall(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?", source) if w.lower() not in _FILLER
            ]
            said_back = " ".join(shown[:2])
            lead = f"{said_back[:1].upper()}{said_back[1:]}, okay!" if said_back else "Okay!"
            prompts = _MORE
        else:
            return None
        if prompts is _MORE and turn.last_question is not None and turn.last_question.answer:
            return _fit([lead], f"Try a full sentence, like: '{turn.last_question.answer}'")
        prompt = next((p for p in prompts if bank.normalized(p) not in turn.asked), None)
        return _fit([lead], prompt or "Try to answer in a full sentence.")

    def _statement(self, turn: Turn, analysis: Analysis, lesson: Lesson) -> str:
        """A reaction to what the learner told, then one or two of: the tutor's own answer, a
        practice phrase, and a question (often a follow-up on what they said)."""
        fixed = any(c.type != "pronunciation" for c in analysis.corrections)
        said_back: Echo | None = echo(turn.said, analysis, turn.number)
        if said_back is not None:
            lead = said_back.text
        elif fixed:
            lead = _UNDERSTOOD[turn.number % len(_UNDERSTOOD)]
        else:
            lead = _ACKS[(turn.number + turn.seed) % len(_ACKS)]
        shape = (turn.number + turn.seed) % 4
        middle: list[str] = []
        question = self._question(turn, lesson)
        own = turn.last_question.answer if turn.last_question else None
        if shape == 1 and not fixed and own and _answers(turn):
            middle.append(own)
        if shape == 3 or (said_back is not None and said_back.about in ("bad", "past")):
            about = said_back.about if said_back is not None else "any"
            follow = bank.first_unasked(bank.FOLLOW_UPS[about] + bank.FOLLOW_UPS["any"], turn.asked)
            if follow is not None:
                question = follow.text
        if not fixed and not middle:
            phrase, related = self._phrase(lesson, turn, question)
            if phrase is not None and ((related and turn.since_teaching >= 1) or turn.since_teaching >= 4):
                middle.append(TEACH.format(phrase.english))
        return _fit([lead, *middle], question)

    # -- questions and phrases ----------------------------------------------------------------

    def _question(self, turn: Turn, lesson: Lesson) -> str:
        """The first question of the lesson not asked yet and not about something the learner has
        already told (no "Do you have any pets?" after "I have two cats"); an invitation once all
        were asked."""
        told = turn.told
        fresh = (q for q in bank.candidates(lesson.topic, lesson.difficulty) if not (keywords(q.text) & told))
        found = bank.first_unasked(fresh, turn.asked)
        if found is not None:
            return found.text
        return bank.INVITATIONS[turn.number % len(bank.INVITATIONS)]

    def _phrase(self, lesson: Lesson, turn: Turn, question: str) -> tuple[Phrase | None, bool]:
        """The lesson's next phrase not taught yet, preferring one about what is being said; and
        whether it is about it."""
        category = lesson.topic if lesson.topic in CATEGORIES else None
        base = turn.seed + len(turn.taught)
        try:
            pool = [
                pick(self._phrases, category=category, difficulty=lesson.difficulty, index=base + i)
                for i in range(len(self._phrases))
            ]
        except InvalidInputError:
            # A custom phrase list may lack this cell: any phrase beats no lesson at all.
            pool = [self._phrases[(base + i) % len(self._phrases)] for i in range(len(self._phrases))]
        taught = set(turn.taught)
        unused = list(dict.fromkeys(p for p in pool if p.english not in taught))
        if not unused:
            return None, False
        context = _content(turn.text) | _content(question.lower())
        scores = [len(_content(p.english.lower()) & context) for p in unused]
        best = max(range(len(unused)), key=lambda i: scores[i])
        return unused[best], scores[best] > 0


# -- small helpers ----------------------------------------------------------------------------------


def _answers(turn: Turn) -> bool:
    """Whether the learner's sentence looks like an answer to the tutor's last question (they
    share a word), so that the tutor's own answer to it fits."""
    if turn.last_question is None:
        return False
    asked = set(WORD.findall(turn.last_question.text.lower())) - _FILLER - _QUESTION_WORDS
    return bool(asked & set(turn.words))


_QUESTION_WORDS = word_set("what where when who why how which do does did to of for in on at")


def _not_understood(text: str) -> bool:
    return any(p in text for p in _NOT_UNDERSTOOD) or text.strip(" ?!.") in (
        "what",
        "huh",
        "sorry",
        "sorry what",
    )


def _fit(parts: list[str], last: str) -> str:
    """``parts`` and ``last`` joined, dropping the parts after the first until the reply fits
    ``MAX_REPLY_CHARS`` (the last part, usually the question, is kept)."""
    kept = list(parts)
    while len(kept) > 1 and len(" ".join([*kept, last])) > MAX_REPLY_CHARS:
        kept.pop()
    joined = " ".join([*kept, last])
    if len(joined) > MAX_REPLY_CHARS:
        joined = kept[0]
    return joined[:MAX_REPLY_CHARS]


def _content(text: str) -> set[str]:
    """The content words of ``text`` (lower case), a plural ``s`` taken off."""
    return {w.rstrip("s") for w in WORD.findall(text) if len(w) > 2 and w not in _FILLER and w not in _COMMON}


_COMMON = word_set(
    """the and you your are for was were have has had can could would will what when where who why
    how this that with from about like want did does not just very really any some there they them
    then than much many more most been into out over its it's i'm you're don't"""
)


def _similar(said: str, phrase: str) -> bool:
    """Whether the learner repeated ``phrase`` (ignoring case and punctuation, small slips allowed)."""
    a = " ".join(WORD.findall(said))
    b = " ".join(WORD.findall(phrase.lower().replace("\u2019", "'")))
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
