"""The LLM tutor against a fake OpenAI-compatible server at the transport: the reply is the model's,
and its corrections are kept only when they pass the offline checker."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from framecast.core.errors import PermanentError
from framecast.core.http import build_http_client
from framecast.providers.base import ChatMessage
from framecast.providers.openrouter import OpenRouterChatProvider
from framecast.tutor.brain import Analysis, Lesson, TutorBrain
from framecast.tutor.checking import offline_analysis
from framecast.tutor.llm_brain import LLMTutor

LESSON = Lesson("session-1", difficulty="intermediate", topic="travel", language="en", learner_name="Minji")
KOREAN = Lesson("session-2", difficulty="beginner", topic=None, language="ko")
SENTENCE = "Yesterday I go to the park and make a photo."
FIXED = "Yesterday I went to the park and took a photo."
NO_ERRORS = Analysis(False, (), None, "Great! Your sentence is correct.")


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
    }


def report(*corrections: dict[str, Any], better: str | None = None, overall: str = "Nice try!") -> str:
    return json.dumps(
        {
            "has_errors": bool(corrections),
            "corrections": list(corrections),
            "better_expression": better,
            "overall_feedback": overall,
        }
    )


def fix(
    kind: str, original: str, corrected: str, explanation: str = "because", severity: str = "medium"
) -> dict[str, Any]:
    return {
        "type": kind,
        "original": original,
        "corrected": corrected,
        "explanation": explanation,
        "severity": severity,
    }


class FakeServer:
    """Answers each chat request with the next scripted reply (or response) and keeps the bodies."""

    def __init__(self, *replies: str | httpx.Response) -> None:
        self.replies = list(replies)
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        reply = self.replies.pop(0)
        return reply if isinstance(reply, httpx.Response) else httpx.Response(200, json=completion(reply))

    def tutor(self) -> LLMTutor:
        http = build_http_client(transport=httpx.MockTransport(self))
        return LLMTutor(
            OpenRouterChatProvider(http, "or-key", model="openai/gpt-5-chat", base_url="https://or.test/v1")
        )

    def prompt(self, index: int = 0) -> str:
        return "\n".join(m["content"] for m in self.bodies[index]["messages"])


def test_the_llm_tutor_is_a_tutor_brain_named_after_its_model() -> None:
    tutor = FakeServer().tutor()
    assert isinstance(tutor, TutorBrain)
    assert tutor.name == "llm:openrouter"


async def test_a_correction_report_becomes_an_analysis_with_feedback() -> None:
    server = FakeServer(
        report(
            fix("grammar", "go", "went", "Past tense for yesterday.", "high"),
            fix("vocabulary", "make a photo", "took a photo", "We take photos."),
            better=FIXED,
            overall="Good effort!",
        )
    )
    analysis = await server.tutor().analyse(SENTENCE, LESSON)

    assert analysis.has_errors
    assert [(c.type, c.original, c.corrected, c.severity) for c in analysis.corrections] == [
        ("grammar", "go", "went", "high"),
        ("vocabulary", "make a photo", "took a photo", "medium"),
    ]
    assert analysis.better_expression == FIXED
    assert analysis.feedback.splitlines() == [
        "Here are some corrections:",
        "Grammar: go → went (Past tense for yesterday.)",
        "Vocabulary: make a photo → took a photo (We take photos.)",
        f"A more natural way to say this: '{FIXED}'",
        "Good effort!",
    ]
    body = server.bodies[0]
    assert body["temperature"] == 0.3
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"has_errors", "corrections", "better_expression", "overall_feedback"}
    assert f"<sentence>{SENTENCE}</sentence>" in server.prompt()
    assert '"grammar" or "vocabulary"' in server.prompt()


async def test_invalid_json_is_repaired_once() -> None:
    server = FakeServer(
        '{"has_errors": true, "corrections": [{"type": "grammar", "original": "go"}]}',
        "```json\n"
        + report(fix("grammar", "go", "went"), fix("grammar", "make a photo", "took a photo"))
        + "\n```",
    )
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert [c.corrected for c in analysis.corrections] == ["went", "took a photo"]
    assert len(server.bodies) == 2
    repair = server.bodies[1]["messages"]
    assert repair[-2]["role"] == "assistant"
    assert "does not match the required JSON schema" in repair[-1]["content"]


async def test_json_that_stays_invalid_leaves_the_offline_checkers_corrections() -> None:
    server = FakeServer("not json", '{"has_errors": "perhaps"}')
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert len(server.bodies) == 2  # asked, then asked to repair
    assert analysis == offline_analysis(SENTENCE, "en")
    assert analysis.has_errors


async def test_expression_and_other_type_names_map_to_the_counted_types() -> None:
    server = FakeServer(
        report(
            fix("tense", "go", "went", severity="major"),
            fix("Expression", "make a photo", "took a photo", severity="Minor"),
        )
    )
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert [(c.type, c.severity) for c in analysis.corrections] == [
        ("grammar", "high"),
        ("vocabulary", "low"),
    ]


async def test_a_correction_of_text_the_learner_did_not_say_is_dropped() -> None:
    server = FakeServer(
        report(
            fix("grammar", "I has gone", "I have gone"),  # not in the sentence
            fix("grammar", "yesterday i GO", "Yesterday I went"),  # there, in another case
            fix("grammar", "park", "park"),  # no change at all
            fix("vocabulary", "make a photo", "took a photo"),
            better=FIXED,
        )
    )
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert [(c.original, c.corrected) for c in analysis.corrections] == [
        ("Yesterday I go", "Yesterday I went"),
        ("make a photo", "took a photo"),
    ]
    assert all(c.original in SENTENCE for c in analysis.corrections)


async def test_corrections_that_leave_a_mistake_give_way_to_the_offline_checkers() -> None:
    # "Yesterday I go ..." is left as it was: the checker still finds the tense.
    server = FakeServer(report(fix("vocabulary", "make a photo", "took a photo"), better=FIXED))
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert analysis == offline_analysis(SENTENCE, "en")
    assert ("go", "went") in [(c.original, c.corrected) for c in analysis.corrections]


async def test_a_model_that_finds_nothing_in_a_wrong_sentence_gives_way_to_the_checker() -> None:
    server = FakeServer(report(fix("grammar", "I has gone", "I have gone"), better=SENTENCE))
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert analysis == offline_analysis(SENTENCE, "en")


async def test_a_correct_sentence_the_checker_agrees_with_has_no_errors() -> None:
    server = FakeServer(report(overall="Nice try!"))
    analysis = await server.tutor().analyse("I went to the park yesterday.", LESSON)
    assert analysis == Analysis(False, (), None, "Great! That sentence is correct. Nice try!")


async def test_a_better_expression_the_checker_rejects_becomes_the_corrected_sentence() -> None:
    server = FakeServer(
        report(
            fix("grammar", "go", "went"),
            fix("vocabulary", "make a photo", "took a photo"),
            better="Yesterday I go to the park and took a photo.",
        )
    )
    analysis = await server.tutor().analyse(SENTENCE, LESSON)
    assert analysis.better_expression == FIXED


async def test_korean_explanations_are_asked_for_in_a_korean_lesson() -> None:
    server = FakeServer(
        report(
            fix("grammar", "go", "went", "과거형을 써야 해요."),
            fix("vocabulary", "make a photo", "took a photo", "사진은 take를 써요."),
            overall="잘했어요!",
        ),
        report(overall="Well done!"),
    )
    tutor = server.tutor()
    korean = await tutor.analyse(SENTENCE, KOREAN)
    await tutor.analyse(SENTENCE, LESSON)

    assert "written in Korean" in server.prompt(0)
    assert "Korean (" not in server.prompt(1)
    assert "written in English" in server.prompt(1)
    assert korean.feedback.splitlines() == [
        "이렇게 고쳐 보세요:",
        "문법: go → went (과거형을 써야 해요.)",
        "어휘: make a photo → took a photo (사진은 take를 써요.)",
        f"더 자연스러운 표현: '{FIXED}'",
        "잘했어요!",
    ]


async def test_a_failing_model_raises_instead_of_pretending() -> None:
    server = FakeServer(
        httpx.Response(401, json={"error": {"code": 401, "message": "No auth credentials found"}}),
        httpx.Response(401, json={"error": {"code": 401, "message": "No auth credentials found"}}),
    )
    tutor = server.tutor()
    with pytest.raises(PermanentError):
        await tutor.analyse(SENTENCE, LESSON)
    with pytest.raises(PermanentError):
        await tutor.reply([ChatMessage("user", "Hello!")], NO_ERRORS, LESSON)


async def test_the_reply_sends_the_history_once_after_the_teacher_prompt() -> None:
    server = FakeServer("  That sounds lovely! Where did you eat?  ")
    history = [
        ChatMessage("assistant", "Hi Minji! Today let's talk about travel. Where did you go last?"),
        ChatMessage("user", "I went to Busan with my family."),
        ChatMessage("assistant", "Busan is beautiful! What did you do there?"),
        ChatMessage("user", "We ate a lot of fresh seafood at the market."),
    ]
    reply = await server.tutor().reply(history, NO_ERRORS, LESSON)

    assert reply == "That sounds lovely! Where did you eat?"
    body = server.bodies[0]
    assert body["temperature"] == 0.7
    assert "response_format" not in body
    messages = body["messages"]
    assert messages[0]["role"] == "system"
    assert messages[1:] == [{"role": m.role, "content": m.content} for m in history]
    assert json.dumps(body).count("fresh seafood at the market") == 1
    system = messages[0]["content"]
    assert "experienced" in system
    assert "Korean learner" in system
    assert "intermediate" in system
    assert "travel" in system
    assert "one to three sentences" in system
    assert "follow-up question" in system
    assert "answer it briefly first" in system
    assert "Never ask a question you have already asked" in system
    assert "simpler words" in system


async def test_the_reply_knows_the_corrected_form_without_repeating_the_learners_message() -> None:
    server = FakeServer("Oh, you went to the beach! Did you swim?")
    analysis = Analysis(True, (), "Yesterday I went to the beach.", "Here are some corrections:")
    history = [ChatMessage("assistant", "Hi!"), ChatMessage("user", "Yesterday I goes to the beach.")]
    await server.tutor().reply(history, analysis, LESSON)
    body = server.bodies[0]
    assert "Yesterday I went to the beach." in body["messages"][0]["content"]
    assert json.dumps(body).count("Yesterday I goes to the beach.") == 1


async def test_the_opening_is_a_friendly_starter_for_the_level() -> None:
    server = FakeServer("Hi there! Let's chat about anything. How are you today?")
    opening = await server.tutor().opening(KOREAN)
    assert opening == "Hi there! Let's chat about anything. How are you today?"
    body = server.bodies[0]
    assert body["temperature"] == 0.8
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "beginner" in body["messages"][1]["content"]
    assert "free conversation" in body["messages"][0]["content"]
