"""The offline tutor: corrections from the checker, and a scripted conversation that follows the
learner — it answers their questions, never asks a question twice, says its last message again more
simply when they do not understand, never repeats their mistakes, and varies its replies."""

from __future__ import annotations

import re

from framecast.providers.base import ChatMessage
from framecast.tutor import script_questions as bank
from framecast.tutor.brain import Analysis, Lesson, TutorBrain
from framecast.tutor.corrections import Correction
from framecast.tutor.phrases import load_phrases
from framecast.tutor.scripted import MAX_REPLY_CHARS, ScriptedTutor, questions_asked

TRAVEL = Lesson("session-1", difficulty="beginner", topic="travel", language="en", learner_name="Minji")
TAUGHT = re.compile(r"Try saying: '(.+?)'(?=\s|$)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CORRECT = Analysis(False, (), None, "Great! Your sentence is correct.")
# Statements about travel and daily life, none of them a question, a short answer or a goodbye.
STATEMENTS = [
    "I went to Busan last summer with my family.",
    "I like trains because they are comfortable.",
    "My sister lives in Jeju.",
    "I am so tired today.",
    "We ate fresh seafood at the market.",
    "I usually travel by bus.",
    "I want to visit Japan next year.",
    "I really like hiking in the mountains.",
    "My favourite city is Seoul.",
    "I am very happy today.",
    "I packed my bag last night.",
    "The hotel was very clean.",
    "I took a lot of pictures.",
    "My brother likes planes.",
    "I stayed there for three days.",
    "It was rainy but fun.",
]


def taught(reply: str) -> str | None:
    found = TAUGHT.search(reply)
    return found.group(1) if found else None


def sentences(reply: str) -> int:
    """Sentences, a quoted phrase counting as the end of its sentence."""
    unquoted = re.sub(r"(?<=: )'.+?'(?=\s|$)", "X.", reply)
    return len(re.findall(r"[.!?]+(?=\s|$)", unquoted))


def questions(reply: str) -> list[str]:
    """The tutor's own questions in a reply (quoted phrases and examples left out)."""
    unquoted = re.sub(r"(?<=: )'.+?'(?=\s|$)", "X.", reply)
    return [s.strip() for s in re.findall(r"[^.!?]+[.!?]+", unquoted) if s.strip().endswith("?")]


def words_per_sentence(text: str) -> float:
    unquoted = re.sub(r"(?<=: )'.+?'(?=\s|$)", "X.", text)
    parts = [p for p in re.split(r"[.!?]+(?=\s|$)", unquoted) if p.strip()]
    return sum(len(p.split()) for p in parts) / len(parts)


def fixed(original: str, corrected: str, better: str | None) -> Analysis:
    """An analysis with one grammar correction, as the checker (or a validated model) gives it."""
    correction = Correction("grammar", original, corrected, "because", "medium")
    return Analysis(True, (correction,), better, "Here are some corrections:")


async def converse(
    tutor: ScriptedTutor, lesson: Lesson, lines: list[str], *, analyses: dict[str, Analysis] | None = None
) -> list[ChatMessage]:
    """The history after the opening and one tutor reply per learner line (each line checked by the
    tutor unless ``analyses`` gives its analysis)."""
    history = [ChatMessage("assistant", await tutor.opening(lesson))]
    for line in lines:
        analysis = (analyses or {}).get(line) or await tutor.analyse(line, lesson)
        history.append(ChatMessage("user", line))
        history.append(ChatMessage("assistant", await tutor.reply(history, analysis, lesson)))
    return history


async def answer(
    tutor: ScriptedTutor, line: str, lesson: Lesson = TRAVEL, analysis: Analysis | None = None
) -> str:
    analyses = {line: analysis} if analysis is not None else None
    return (await converse(tutor, lesson, [line], analyses=analyses))[-1].content


def assert_speakable(reply: str) -> None:
    assert 0 < len(reply) <= MAX_REPLY_CHARS
    assert not HANGUL.search(reply)
    assert 1 <= sentences(reply) <= 3, reply


def test_sentences_are_counted_outside_the_quoted_phrases() -> None:
    assert sentences("Great! Try saying: 'Look who it is! I haven't seen you.' Do you? Yes.") == 4


def test_the_scripted_tutor_is_a_tutor_brain() -> None:
    tutor = ScriptedTutor()
    assert isinstance(tutor, TutorBrain)
    assert tutor.name == "offline"


async def test_the_analysis_is_the_offline_checkers_with_feedback() -> None:
    analysis = await ScriptedTutor().analyse("She go to school every day.", TRAVEL)
    assert analysis.has_errors
    assert ("go", "goes") in [(c.original, c.corrected) for c in analysis.corrections]
    assert analysis.better_expression == "She goes to school every day."
    assert analysis.feedback.startswith("Here are some corrections:\nGrammar: go → goes")


async def test_the_analysis_explains_in_korean_for_a_korean_lesson() -> None:
    analysis = await ScriptedTutor().analyse("She go to school every day.", Lesson("s", language="ko"))
    assert analysis.feedback.startswith("이렇게 고쳐 보세요:\n문법: go → goes")
    assert all(HANGUL.search(c.explanation) for c in analysis.corrections)


async def test_the_opening_greets_the_learner_and_introduces_the_topic_with_a_question() -> None:
    opening = await ScriptedTutor().opening(TRAVEL)
    assert opening.startswith("Hi Minji!")
    assert "travel" in opening
    assert opening.endswith("?")
    assert_speakable(opening)


async def test_a_free_talk_opening_without_a_speakable_name() -> None:
    opening = await ScriptedTutor().opening(Lesson("s", difficulty="advanced", learner_name="김민지"))
    assert opening.startswith("Hi there!")
    assert "anything you like" in opening
    assert_speakable(opening)


# -- questions from the learner ---------------------------------------------------------------------


async def test_the_learners_questions_get_a_plausible_answer_and_the_conversation_goes_on() -> None:
    tutor = ScriptedTutor()
    replies = {
        line: await answer(tutor, line)
        for line in ("What do you like?", "Do you like coffee?", "What's your name?", "Where are you from?")
    }
    assert replies["What do you like?"].startswith("I like reading, cooking and long walks.")
    assert replies["Do you like coffee?"].startswith("Yes, I love coffee!")
    assert replies["What's your name?"].startswith("My name is Sam")
    assert replies["Where are you from?"].startswith("I'm from Canada")
    for reply in replies.values():
        assert "great question to practise" not in reply
        assert reply.endswith("?")  # then it asks the learner something
        assert_speakable(reply)


async def test_a_spoken_question_without_a_question_mark_is_answered_too() -> None:
    reply = await answer(ScriptedTutor(), "what do you like to do in your free time")
    assert reply.startswith("I like reading, cooking and long walks.")


async def test_a_question_the_tutor_has_no_answer_for_gets_an_honest_one() -> None:
    reply = await answer(ScriptedTutor(), "Why is the sky blue?")
    assert reply.startswith(("Hmm, good question!", "That's a tricky one", "Good question, I'd have"))
    assert reply.endswith("?")


async def test_and_you_gets_the_tutors_own_answer_to_its_last_question() -> None:
    # The opening asked "Do you like to travel?".
    reply = await answer(ScriptedTutor(), "Yes, I like it a lot. And you?")
    assert reply.startswith("Yes, I love to travel.")
    assert_speakable(reply)


async def test_how_do_you_say_a_korean_practice_phrase_in_english_is_answered_from_the_phrases() -> None:
    reply = await answer(ScriptedTutor(), "How do you say 기차역이 어디예요 in English?")
    assert reply.startswith("In English, we say: 'Where is the train station?'")
    assert not HANGUL.search(reply)


# -- no question twice ------------------------------------------------------------------------------


async def test_no_question_is_asked_twice_in_a_session() -> None:
    history = await converse(ScriptedTutor(), TRAVEL, [*STATEMENTS, "Yes.", "No.", "Pizza."])
    asked = [bank.normalized(q) for m in history if m.role == "assistant" for q in questions(m.content)]
    assert len(asked) >= len(STATEMENTS)
    assert len(asked) == len(set(asked)), [q for q in asked if asked.count(q) > 1]
    for message in history:
        if message.role == "assistant":
            assert_speakable(message.content)


async def test_the_questions_already_asked_are_read_from_the_stored_history() -> None:
    tutor = ScriptedTutor()
    first = await converse(tutor, TRAVEL, ["I went to Busan last summer with my family."])
    asked = questions_asked([m.content for m in first if m.role == "assistant"])
    # A history stored earlier (another process, after a restart) that already asked them all.
    beginner = [q.text for q in bank.TOPIC_QUESTIONS["travel"]["beginner"]]
    stored = [*first, ChatMessage("user", "It was fun."), ChatMessage("assistant", " ".join(beginner))]
    stored.append(ChatMessage("user", "I like trains because they are comfortable."))
    reply = await tutor.reply(stored, CORRECT, TRAVEL)
    for question in questions(reply):
        assert bank.normalized(question) not in asked | {bank.normalized(q) for q in beginner}


# -- not understanding ------------------------------------------------------------------------------


async def test_i_dont_understand_gets_the_last_reply_again_more_simply() -> None:
    lesson = Lesson("session-2", difficulty="advanced", topic="work")
    tutor = ScriptedTutor()
    opening = await tutor.opening(lesson)
    question = questions(opening)[-1]
    reply = await answer(tutor, "Sorry, I don't understand.", lesson)
    simple = bank.find(question)
    assert simple is not None
    assert reply.endswith(simple.simple)
    assert words_per_sentence(reply) < words_per_sentence(opening)
    assert_speakable(reply)


async def test_korean_for_i_dont_understand_is_understood() -> None:
    tutor = ScriptedTutor()
    for line in ("모르겠어요", "이해가 안 돼요", "What do you mean?", "I didn't get it."):
        reply = await answer(tutor, line)
        assert reply.endswith("Do you like trips?"), (line, reply)  # the opening question, simpler
        assert not HANGUL.search(reply)


async def test_not_understanding_twice_gets_an_example_answer() -> None:
    history = await converse(ScriptedTutor(), TRAVEL, ["I don't understand.", "I still don't understand."])
    assert history[-1].content == "For example, you can say: 'Yes, I love to travel.' Now you try!"


async def test_a_simpler_reply_keeps_a_short_practice_phrase() -> None:
    tutor = ScriptedTutor()
    history = await converse(tutor, TRAVEL, STATEMENTS[:6])
    index = next(i for i, m in enumerate(history) if m.role == "assistant" and i and taught(m.content))
    phrase = taught(history[index].content)
    assert phrase is not None
    stored = [*history[: index + 1], ChatMessage("user", "I don't understand.")]
    reply = await tutor.reply(stored, CORRECT, TRAVEL)
    if len(phrase.split()) <= 6:
        assert f"'{phrase}'" in reply
    assert taught(reply) is None  # the same phrase again, not a new one


# -- corrections and the learner's words ------------------------------------------------------------


async def test_the_correction_card_is_not_repeated_in_the_reply() -> None:
    analysis = fixed("goes", "went", "I went to Busan yesterday with my family.")
    reply = await answer(ScriptedTutor(), "I goes to Busan yesterday with my family.", analysis=analysis)
    assert "You could say" not in reply
    assert "goes" not in reply
    assert "went to Busan" in reply  # the corrected form, said back as part of the conversation
    assert_speakable(reply)


async def test_a_correction_without_a_corrected_sentence_quotes_nothing_of_the_learner() -> None:
    line = "My grandmother cook kimchi for whole family."
    reply = await answer(ScriptedTutor(), line, analysis=fixed("cook", "cooks", None))
    assert "grandmother" not in reply
    assert "kimchi" not in reply
    assert_speakable(reply)


async def test_mistakes_the_checker_did_not_find_are_never_said_back() -> None:
    tutor = ScriptedTutor()
    for line, mistake in (
        ("I bought a new shoes.", "new shoes"),
        ("I like play soccer.", "play soccer"),
        ("My friend house is big.", "friend house"),
        ("I enjoy to swimming in the sea.", "to swimming"),
    ):
        reply = await answer(tutor, line, analysis=CORRECT)  # as if the checker found nothing
        assert mistake not in reply.lower(), reply
        assert_speakable(reply)


async def test_what_the_learner_talked_about_is_said_back_when_it_is_safe() -> None:
    tutor = ScriptedTutor()
    assert (
        "your new job" in (await answer(tutor, "My new job is very interesting.", analysis=CORRECT)).lower()
    )
    liking = await answer(tutor, "I really like cooking with my friends.", analysis=CORRECT)
    assert "like cooking with your friends" in liking
    assert (await answer(tutor, "I am so tired today.", analysis=CORRECT)).startswith(
        "Oh, sorry to hear you're tired."
    )
    assert "you went to Jeju" in await answer(tutor, "I went to Jeju with my sister.", analysis=CORRECT)
    assert (await answer(tutor, "Hello, my name is Jisoo.")).startswith("Nice to meet you, Jisoo!")


# -- the shape of the replies -----------------------------------------------------------------------


async def test_replies_vary_their_shape_and_their_first_words() -> None:
    history = await converse(
        ScriptedTutor(), TRAVEL, STATEMENTS[:10], analyses=dict.fromkeys(STATEMENTS, CORRECT)
    )
    replies = [m.content for m in history[2::2]]
    with_phrase = [r for r in replies if taught(r)]
    assert 0 < len(with_phrase) < len(replies)  # a phrase now and then, not at every turn
    assert len({sentences(r) for r in replies}) > 1
    assert len({r.split(" ")[0] for r in replies}) > 3
    assert all(r.endswith(("?", ".", "!")) for r in replies)


async def test_a_practice_phrase_is_of_the_lesson_and_praised_when_repeated() -> None:
    tutor = ScriptedTutor()
    history = await converse(tutor, TRAVEL, STATEMENTS[:6], analyses=dict.fromkeys(STATEMENTS, CORRECT))
    phrases = [taught(m.content) for m in history if m.role == "assistant" and taught(m.content)]
    travel = {p.english for p in load_phrases() if p.category == "travel" and p.difficulty == "beginner"}
    assert phrases
    assert set(phrases) <= travel
    assert len(set(phrases)) == len(phrases)  # never the same phrase twice
    last = next(m.content for m in reversed(history) if m.role == "assistant" and taught(m.content))
    cut = history[: history.index(ChatMessage("assistant", last)) + 1]
    repeated = taught(last)
    assert repeated is not None
    reply = await tutor.reply([*cut, ChatMessage("user", repeated)], CORRECT, TRAVEL)
    assert reply.startswith(("Well said", "Perfect", "Great job"))


async def test_a_practice_phrase_about_what_is_said_is_preferred() -> None:
    reply = await answer(ScriptedTutor(), "I always take the train when I travel.", analysis=CORRECT)
    phrase = taught(reply)
    assert phrase is not None
    assert "train" in phrase.lower()


async def test_a_one_word_answer_is_asked_for_a_full_sentence_without_a_new_phrase() -> None:
    tutor = ScriptedTutor()
    for line in ("Yes.", "No.", "Pizza."):
        reply = await answer(tutor, line)
        assert "full sentence" in reply
        assert taught(reply) is None
        assert_speakable(reply)
    pizza = await answer(tutor, "Pizza.")
    assert pizza.startswith("Pizza, okay!")
    assert "like: 'Yes, I love to travel.'" in pizza  # an example answer to the opening question


async def test_goodbye_ends_without_a_new_phrase() -> None:
    reply = await answer(ScriptedTutor(), "Okay, bye bye!")
    assert reply == "Goodbye, Minji! You did a great job today, see you next time."


async def test_the_conversation_comes_from_the_history_alone() -> None:
    lines = ["Hello!", "I went to the beach with my dog.", "It was sunny."]
    first = await converse(ScriptedTutor(), TRAVEL, lines)
    again = await converse(ScriptedTutor(), TRAVEL, lines)  # e.g. after a restart
    assert first == again
    analysis = await ScriptedTutor().analyse("I like the sea.", TRAVEL)
    history = [*first, ChatMessage("user", "I like the sea.")]
    assert await ScriptedTutor().reply(history, analysis, TRAVEL) == await ScriptedTutor().reply(
        history, analysis, TRAVEL
    )


async def test_replies_stay_english_in_a_korean_lesson() -> None:
    lesson = Lesson("s", difficulty="intermediate", topic="shopping", language="ko", learner_name="Minji")
    history = await converse(
        ScriptedTutor(), lesson, ["She have a new jacket.", "I like it very much.", "모르겠어요"]
    )
    for message in history[::2]:
        assert_speakable(message.content)


async def test_replies_to_long_sentences_stay_under_the_limit() -> None:
    lesson = Lesson("s", difficulty="advanced", topic="opinions")
    long_line = (
        "I goes to the cinema with my friends " + "and we watched a very long movie " * 6 + "yesterday."
    )
    better = long_line.replace("I goes", "I went")
    reply = await answer(ScriptedTutor(), long_line, lesson, analysis=fixed("goes", "went", better))
    assert "goes" not in reply
    assert_speakable(reply)
