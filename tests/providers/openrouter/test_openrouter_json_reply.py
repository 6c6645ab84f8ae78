"""JSON replies validated by a pydantic schema, with exactly one repair round."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

import httpx
import pytest
from pydantic import BaseModel

from framecast.core.errors import ErrorCategory, PermanentError
from framecast.core.http import build_http_client
from framecast.providers.base import ChatMessage
from framecast.providers.openrouter import OpenRouterChatProvider, complete_json


class Correction(BaseModel):
    original: str
    corrected: str
    severity: Literal["low", "medium", "high"]


class CorrectionReply(BaseModel):
    has_errors: bool
    corrections: list[Correction]


GOOD = '{"has_errors": true, "corrections": [{"original": "goes", "corrected": "go", "severity": "low"}]}'
BAD = '{"has_errors": true, "corrections": [{"original": "goes", "corrected": "go", "severity": "huge"}]}'
MESSAGES = [ChatMessage("user", "I goes to school.")]


class ScriptedChat:
    """A ChatModel that answers from a list and records what it was sent."""

    name = "scripted"

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.calls: list[tuple[list[ChatMessage], dict[str, Any] | None]] = []

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        temperature: float = 0.7,
    ) -> str:
        self.calls.append((list(messages), json_schema))
        return self.replies.pop(0)

    async def stream(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.7
    ) -> AsyncIterator[str]:
        yield self.replies.pop(0)


async def test_a_valid_reply_is_parsed_in_one_call() -> None:
    chat = ScriptedChat([GOOD])
    reply = await complete_json(chat, MESSAGES, CorrectionReply)
    assert reply.corrections[0].corrected == "go"
    assert len(chat.calls) == 1
    assert chat.calls[0][1] == CorrectionReply.model_json_schema()


async def test_a_fenced_reply_is_accepted() -> None:
    reply = await complete_json(ScriptedChat([f"```json\n{GOOD}\n```"]), MESSAGES, CorrectionReply)
    assert reply.has_errors is True


async def test_an_invalid_reply_is_repaired_once_with_the_validation_error() -> None:
    chat = ScriptedChat([BAD, GOOD])
    reply = await complete_json(chat, MESSAGES, CorrectionReply)
    assert reply.corrections[0].severity == "low"
    repair_messages = chat.calls[1][0]
    assert repair_messages[:1] == MESSAGES
    assert repair_messages[1] == ChatMessage("assistant", BAD)
    assert repair_messages[2].role == "user"
    assert "corrections.0.severity" in repair_messages[2].content


async def test_a_second_invalid_reply_raises_and_no_third_call_is_made() -> None:
    chat = ScriptedChat([BAD, "not json at all", GOOD])
    with pytest.raises(PermanentError, match="CorrectionReply") as caught:
        await complete_json(chat, MESSAGES, CorrectionReply)
    assert caught.value.category == ErrorCategory.INVALID_INPUT
    assert caught.value.provider == "scripted"
    assert len(chat.calls) == 2


async def test_it_works_over_http_with_the_openrouter_provider() -> None:
    bodies: list[dict[str, Any]] = []
    replies = [BAD, GOOD]

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        content = replies.pop(0)
        return httpx.Response(
            200,
            json={
                "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": content}}]
            },
        )

    http = build_http_client(transport=httpx.MockTransport(handler))
    chat = OpenRouterChatProvider(http, "k", model="m", base_url="https://or.test/api/v1")
    reply = await complete_json(chat, MESSAGES, CorrectionReply)
    assert reply.has_errors is True
    assert [len(body["messages"]) for body in bodies] == [1, 3]
    assert bodies[0]["response_format"]["json_schema"]["name"] == "CorrectionReply"
    assert bodies[0]["temperature"] == 0.3
