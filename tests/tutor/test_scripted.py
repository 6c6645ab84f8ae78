"""The offline tutor: corrections from the checker, and a scripted lesson that reacts and moves on."""

from __future__ import annotations

import re

from framecast.providers.base import ChatMessage
from framecast.tutor.brain import Analysis, Lesson, TutorBrain
from framecast.tutor.phrases import load_phrases
from framecast.tutor.scripted import MAX_REPLY_CHARS, ScriptedTutor

TRAVEL = Lesson("session-1", difficulty="beginner", topic="travel", language="en", learner_name="Minji")
TAUGHT = re.compile(r"Try saying: '(.+?)'(?=\s|$)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def taught(reply: str) -> str | None:
    found = TAUGHT.search(reply)
    return found.group(1) if found else None


def sentences(reply: str) -> int:
    """Sentences, a quoted phrase counting as the end of its sentence."""
    unquoted = re.sub(r"(?<=: )'.+?'(?=\s|$)", "X.", reply)
    return len(re.findall(r"[.!?]+(?=\s|$)", unquoted))


async def converse(tutor: ScriptedTutor, lesson: Lesson, lines: list[str]) -> list[ChatMessage]:
    """The history after the opening and one tutor reply per learner line."""
    history = [ChatMessage("assistant", await tutor.opening(lesson))]
    for line in lines:
        analysis = await tutor.analyse(line, lesson)
        history.append(ChatMessage("user", line))
        history.append(ChatMessage("assistant", await tutor.reply(history, analysis, lesson)))
    return history


async def answer(tutor: ScriptedTutor, line: str, lesson: Lesson = TRAVEL) -> str:
    return (await converse(tutor, lesson, [line]))[-1].content


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


async def test_analysis_of_a_wrong_sentence_gives_the_corrected_sentence_and_feedback() -> None:
    analysis = await ScriptedTutor().analyse("I goes to Busan yesterday.", TRAVEL)
    assert analysis.has_errors
    assert [(c.type, c.original, c.corrected) for c in analysis.corrections] == [("grammar", "goes", "went")]
    assert analysis.better_expression == "I went to Busan yesterday."
    assert analysis.feedback.startswith("Here are some corrections:\nGrammar: goes → went (")
    assert "A more natural way to say this: 'I went to Busan yesterday.'" in analysis.feedback


async def test_analysis_explains_in_korean_for_a_korean_lesson() -> None:
    lesson = Lesson("s", language="ko")
    analysis = await ScriptedTutor().analyse("She have a apple.", lesson)
    assert analysis.feedback.startswith("이렇게 고쳐 보세요:\n문법: have → has (")
    assert all(HANGUL.search(c.explanation) for c in analysis.corrections)


async def test_a_correct_sentence_has_no_better_expression() -> None:
    analysis = await ScriptedTutor().analyse("I went to Busan yesterday.", TRAVEL)
    assert analysis == Analysis(False, (), None, analysis.feedback)
    assert analysis.feedback.startswith("Great! Your sentence is correct. ")


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


async def test_it_answers_the_learners_questions_and_still_teaches() -> None:
    tutor = ScriptedTutor()
    how = await answer(tutor, "How are you?")
    assert how.startswith("I'm doing great, thanks for asking!")
    assert taught(how) is not None
    assert how.endswith("?")
    assert (await answer(tutor, "What is your name?")).startswith("My name is Sam")
    assert (await answer(tutor, "Can you help me?")).startswith("Of course I can help you")
    assert (await answer(tutor, "Thank you so much.")).startswith("You're very welcome!")


async def test_it_echoes_what_the_learner_talked_about() -> None:
    tutor = ScriptedTutor()
    assert "your new job" in (await answer(tutor, "My new job is very interesting.")).lower()
    liking = await answer(tutor, "I really like cooking with my friends.")
    assert liking.startswith("You like cooking with your friends?")
    assert (await answer(tutor, "I am so tired today.")).startswith("Oh, sorry to hear you're tired.")
    assert (await answer(tutor, "Hello, my name is Jisoo.")).startswith("Nice to meet you, Jisoo!")


async def test_a_one_word_answer_is_asked_for_a_full_sentence_without_a_new_phrase() -> None:
    tutor = ScriptedTutor()
    for line in ("Yes.", "No.", "Pizza."):
        reply = await answer(tutor, line)
        assert "full sentence" in reply
        assert taught(reply) is None
        assert_speakable(reply)
    assert (await answer(tutor, "Pizza.")).startswith("Pizza, okay!")


async def test_i_dont_understand_gets_a_simpler_phrase() -> None:
    lesson = Lesson("session-2", difficulty="advanced", topic="work")
    reply = await answer(ScriptedTutor(), "Sorry, I don't understand.", lesson)
    assert reply.startswith("No problem, let me make it simpler.")
    beginner_work = {p.english for p in load_phrases() if p.category == "work" and p.difficulty == "beginner"}
    assert taught(reply) in beginner_work


async def test_goodbye_ends_without_a_new_phrase() -> None:
    reply = await answer(ScriptedTutor(), "Okay, bye bye!")
    assert reply == "Goodbye, Minji! You did a great job today, see you next time."


async def test_mistakes_are_modelled_with_the_corrected_sentence() -> None:
    reply = await answer(ScriptedTutor(), "I goes to Busan yesterday with my family.")
    assert reply.startswith("You could say: 'I went to Busan yesterday with my family.'")
    assert taught(reply) is not None
    assert_speakable(reply)


async def test_a_lesson_teaches_a_new_phrase_of_its_topic_at_every_turn_and_praises_repetition() -> None:
    tutor = ScriptedTutor()
    history = [ChatMessage("assistant", await tutor.opening(TRAVEL))]
    lines = ["Hi, how are you?", None, "I want to visit Jeju with my sister.", None, "I like trains."]
    for line in lines:
        said = line if line is not None else taught(history[-1].content)
        assert said is not None
        analysis = await tutor.analyse(said, TRAVEL)
        history.append(ChatMessage("user", said))
        reply = await tutor.reply(history, analysis, TRAVEL)
        history.append(ChatMessage("assistant", reply))
        assert_speakable(reply)
        if line is None:  # the learner repeated the phrase just taught
            assert reply.startswith(("Well said", "Perfect", "Great job"))

    phrases = [taught(m.content) for m in history if m.role == "assistant"][1:]
    travel = {p.english for p in load_phrases() if p.category == "travel" and p.difficulty == "beginner"}
    assert all(p in travel for p in phrases)
    assert len(set(phrases)) == len(lines)
    questions = [m.content.rsplit("'", 1)[-1].strip() for m in history[2::2]]
    assert all(q.endswith("?") for q in questions)
    assert len(set(questions)) > 1


async def test_the_lesson_state_comes_from_the_history_alone() -> None:
    lines = ["Hello!", "I went to the beach with my dog.", "It was sunny."]
    first = await converse(ScriptedTutor(), TRAVEL, lines)
    again = await converse(ScriptedTutor(), TRAVEL, lines)  # e.g. after a restart
    assert first == again
    # A new tutor picking up the stored history answers as the first one would.
    analysis = await ScriptedTutor().analyse("I like the sea.", TRAVEL)
    history = [*first, ChatMessage("user", "I like the sea.")]
    assert await ScriptedTutor().reply(history, analysis, TRAVEL) == await ScriptedTutor().reply(
        history, analysis, TRAVEL
    )


async def test_replies_stay_english_in_a_korean_lesson() -> None:
    lesson = Lesson("s", difficulty="intermediate", topic="shopping", language="ko", learner_name="Minji")
    history = await converse(ScriptedTutor(), lesson, ["She have a new jacket.", "I like it very much."])
    assert "You could say: 'She has a new jacket.'" in history[2].content
    for message in history:
        assert_speakable(message.content)


async def test_replies_with_long_sentences_stay_under_the_limit() -> None:
    lesson = Lesson("s", difficulty="advanced", topic="opinions")
    long_line = (
        "I goes to the cinema with my friends " + "and we watched a very long movie " * 6 + "yesterday."
    )
    reply = await answer(ScriptedTutor(), long_line, lesson)
    assert reply.startswith("Good try, have a look at the corrections on your screen.")
    assert_speakable(reply)
