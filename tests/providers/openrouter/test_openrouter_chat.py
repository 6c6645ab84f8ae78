"""OpenAI-compatible chat completions against a fake OpenRouter at the transport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.core.http import build_http_client
from framecast.core.settings import OpenRouterSettings
from framecast.providers.base import ChatMessage, ChatModel
from framecast.providers.openrouter import OpenRouterChatProvider

MESSAGES = [ChatMessage("system", "You are a tutor."), ChatMessage("user", "I goes to school.")]


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1,
        "model": "openai/gpt-5-chat",
        "choices": [
            {
                "finish_reason": "stop",
                "native_finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    }


def chunk(content: str) -> str:
    body = {"id": "gen-1", "object": "chat.completion.chunk", "choices": [{"delta": {"content": content}}]}
    return f"data: {json.dumps(body)}\n\n"


class Lines(httpx.AsyncByteStream):
    def __init__(self, parts: list[str], *, break_off: bool = False) -> None:
        self._parts = parts
        self._break_off = break_off

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._parts:
            yield part.encode()
        if self._break_off:
            raise httpx.ReadError("reset")


async def collect(stream: AsyncIterator[str], pieces: list[str]) -> None:
    async for piece in stream:
        pieces.append(piece)


def chat_for(
    handler: httpx.MockTransport, *, app_url: str = "", app_name: str = ""
) -> OpenRouterChatProvider:
    http = build_http_client(transport=handler)
    return OpenRouterChatProvider(
        http,
        "or-key",
        model="openai/gpt-5-chat",
        base_url="https://or.test/api/v1",
        app_url=app_url,
        app_name=app_name,
    )


async def test_complete_posts_an_openai_style_body_with_auth_and_attribution() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=completion("You should say: I go to school."))

    chat = chat_for(httpx.MockTransport(handler), app_url="https://tutor.example", app_name="Framecast Tutor")
    reply = await chat.complete(MESSAGES, temperature=0.3)

    assert isinstance(chat, ChatModel)
    assert reply == "You should say: I go to school."
    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == "https://or.test/api/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer or-key"
    assert request.headers["HTTP-Referer"] == "https://tutor.example"
    assert request.headers["X-Title"] == "Framecast Tutor"
    assert json.loads(request.content) == {
        "model": "openai/gpt-5-chat",
        "messages": [
            {"role": "system", "content": "You are a tutor."},
            {"role": "user", "content": "I goes to school."},
        ],
        "temperature": 0.3,
    }


async def test_a_local_server_gets_no_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=completion("hi"))

    http = build_http_client(transport=httpx.MockTransport(handler))
    chat = OpenRouterChatProvider.from_settings(
        http, OpenRouterSettings(base_url="http://127.0.0.1:11434/v1", model="llama3.2", app_name="")
    )
    await chat.complete(MESSAGES)
    assert str(seen[0].url) == "http://127.0.0.1:11434/v1/chat/completions"
    assert "Authorization" not in seen[0].headers
    assert "X-Title" not in seen[0].headers


def test_openrouter_itself_needs_a_key() -> None:
    with pytest.raises(ConfigurationError, match="FRAMECAST_OPENROUTER__API_KEY"):
        OpenRouterChatProvider.from_settings(build_http_client(), OpenRouterSettings())
    chat = OpenRouterChatProvider.from_settings(
        build_http_client(), OpenRouterSettings(api_key=SecretStr("k"))
    )
    assert chat.name == "openrouter"


async def test_a_json_schema_goes_in_response_format() -> None:
    seen: list[httpx.Request] = []
    schema = {
        "title": "Correction Reply",
        "type": "object",
        "properties": {"has_errors": {"type": "boolean"}},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=completion('{"has_errors": true}'))

    reply = await chat_for(httpx.MockTransport(handler)).complete(MESSAGES, json_schema=schema)
    assert reply == '{"has_errors": true}'
    assert json.loads(seen[0].content)["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Correction_Reply", "schema": schema},
    }


@pytest.mark.parametrize(
    ("status", "error", "error_type", "category"),
    [
        (400, {"code": 400, "message": "Invalid model"}, PermanentError, ErrorCategory.INVALID_INPUT),
        (401, {"code": 401, "message": "No auth credentials found"}, PermanentError, ErrorCategory.AUTH),
        (402, {"code": 402, "message": "Insufficient credits"}, PermanentError, ErrorCategory.QUOTA),
        (408, {"code": 408, "message": "Timed out"}, RefusedError, ErrorCategory.REFUSED),
        (
            429,
            {
                "code": 429,
                "message": "Rate limit exceeded",
                "metadata": {"error_type": "rate_limit_exceeded"},
            },
            RefusedError,
            ErrorCategory.RATE_LIMIT,
        ),
        (502, {"code": 502, "message": "Model is down"}, AmbiguousError, ErrorCategory.AMBIGUOUS),
        (503, {"code": 503, "message": "No provider available"}, RefusedError, ErrorCategory.SERVER),
    ],
)
async def test_error_bodies_become_clear_categorised_errors(
    status: int, error: dict[str, Any], error_type: type[ProviderError], category: ErrorCategory
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "7"}, json={"error": error})

    with pytest.raises(error_type) as caught:
        await chat_for(httpx.MockTransport(handler)).complete(MESSAGES)
    assert caught.value.category == category
    assert caught.value.status_code == status
    assert caught.value.retry_after == 7.0
    assert error["message"] in str(caught.value)


async def test_a_moderation_block_is_unsafe_content_with_its_reasons() -> None:
    error = {
        "code": 403,
        "message": "Input was flagged",
        "metadata": {
            "reasons": ["harassment"],
            "flagged_input": "...",
            "provider_name": "x",
            "model_slug": "y",
        },
    }
    chat = chat_for(httpx.MockTransport(lambda request: httpx.Response(403, json={"error": error})))
    with pytest.raises(PermanentError, match="harassment") as caught:
        await chat.complete(MESSAGES)
    assert caught.value.category == ErrorCategory.UNSAFE_CONTENT


async def test_an_error_inside_a_200_body_is_raised() -> None:
    body = {"choices": [{"finish_reason": "error", "error": {"code": 502, "message": "upstream broke"}}]}
    chat = chat_for(httpx.MockTransport(lambda request: httpx.Response(200, json=body)))
    with pytest.raises(AmbiguousError, match="upstream broke"):
        await chat.complete(MESSAGES)


async def test_an_empty_reply_is_ambiguous() -> None:
    chat = chat_for(httpx.MockTransport(lambda request: httpx.Response(200, json=completion(""))))
    with pytest.raises(AmbiguousError, match="empty reply"):
        await chat.complete(MESSAGES)


async def test_stream_yields_deltas_skipping_comments_and_the_usage_chunk() -> None:
    seen: list[httpx.Request] = []
    usage = {
        "id": "gen-1",
        "choices": [],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    parts = [
        ": OPENROUTER PROCESSING\n\n",
        chunk("I go"),
        ": OPENROUTER PROCESSING\n\n",
        chunk(" to school."),
        f"data: {json.dumps(usage)}\n\n",
        "data: [DONE]\n\n",
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Lines(parts))

    pieces = [piece async for piece in chat_for(httpx.MockTransport(handler)).stream(MESSAGES)]
    assert pieces == ["I go", " to school."]
    assert json.loads(seen[0].content)["stream"] is True


async def test_a_mid_stream_error_event_is_raised_after_the_pieces_before_it() -> None:
    error_event = {
        "id": "gen-1",
        "error": {"code": 429, "message": "Rate limited mid-stream"},
        "choices": [{"delta": {"content": ""}, "finish_reason": "error"}],
    }
    parts = [chunk("Hel"), f"data: {json.dumps(error_event)}\n\n"]
    chat = chat_for(httpx.MockTransport(lambda request: httpx.Response(200, stream=Lines(parts))))
    pieces: list[str] = []
    with pytest.raises(RefusedError, match="Rate limited mid-stream") as caught:
        await collect(chat.stream(MESSAGES), pieces)
    assert pieces == ["Hel"]
    assert caught.value.category == ErrorCategory.RATE_LIMIT


async def test_an_error_before_the_first_token_keeps_its_http_status() -> None:
    body = json.dumps({"error": {"code": 402, "message": "Insufficient credits"}})
    chat = chat_for(httpx.MockTransport(lambda request: httpx.Response(402, stream=Lines([body]))))
    with pytest.raises(PermanentError, match="Insufficient credits") as caught:
        async for _ in chat.stream(MESSAGES):
            pass
    assert caught.value.category == ErrorCategory.QUOTA


@pytest.mark.parametrize("break_off", [False, True])
async def test_a_stream_that_ends_without_done_is_ambiguous(break_off: bool) -> None:
    parts = [chunk("Hel")]
    chat = chat_for(
        httpx.MockTransport(lambda request: httpx.Response(200, stream=Lines(parts, break_off=break_off)))
    )
    with pytest.raises(AmbiguousError):
        async for _ in chat.stream(MESSAGES):
            pass
