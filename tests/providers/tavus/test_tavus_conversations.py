"""Tavus conversations against a fake Tavus at the transport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.core.http import build_http_client
from framecast.core.settings import Settings, TavusSettings
from framecast.providers.tavus import TavusConversation, TavusConversations

CREATED = {
    "conversation_id": "c123456",
    "conversation_name": "English Correction Session",
    "status": "active",
    "conversation_url": "https://tavus.daily.co/c123456",
    "replica_id": "r1",
    "persona_id": "p1",
    "created_at": "2026-01-01T00:00:00Z",
}


def tavus_for(handler: Any, **options: Any) -> TavusConversations:
    http = build_http_client(transport=httpx.MockTransport(handler))
    return TavusConversations(http, "tv-key", base_url="https://tavus.test", **options)


async def test_create_posts_the_configured_ids_and_returns_the_room() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CREATED)

    tavus = tavus_for(handler, replica_id="r1", persona_id="p1")
    conversation = await tavus.create(
        conversation_name="English Correction Session",
        custom_greeting="Hi!",
        properties={"max_call_duration": 120, "language": "english"},
    )

    assert conversation == TavusConversation(
        conversation_id="c123456",
        conversation_url="https://tavus.daily.co/c123456",
        status="active",
        conversation_name="English Correction Session",
        replica_id="r1",
        persona_id="p1",
        created_at="2026-01-01T00:00:00Z",
    )
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", "https://tavus.test/v2/conversations")
    assert request.headers["x-api-key"] == "tv-key"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "replica_id": "r1",
        "persona_id": "p1",
        "conversation_name": "English Correction Session",
        "custom_greeting": "Hi!",
        "properties": {"max_call_duration": 120, "language": "english"},
    }


@pytest.mark.parametrize(
    ("configured", "argument", "sent"), [(True, None, True), (False, True, True), (True, False, False)]
)
async def test_test_mode_is_sent_when_configured_or_asked(
    configured: bool, argument: bool | None, sent: bool
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={**CREATED, "status": "ended"})

    conversation = await tavus_for(handler, test_mode=configured).create(test_mode=argument)
    assert json.loads(seen[0].content).get("test_mode", False) is sent
    assert conversation.status == "ended"


async def test_end_posts_to_the_end_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    await tavus_for(handler).end("c123456")
    assert (seen[0].method, str(seen[0].url)) == ("POST", "https://tavus.test/v2/conversations/c123456/end")
    assert seen[0].headers["x-api-key"] == "tv-key"


@pytest.mark.parametrize(
    ("hard", "url"),
    [
        (False, "https://tavus.test/v2/conversations/c1"),
        (True, "https://tavus.test/v2/conversations/c1?hard=true"),
    ],
)
async def test_delete_sends_delete_and_accepts_204(hard: bool, url: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    await tavus_for(handler).delete("c1", hard=hard)
    assert (seen[0].method, str(seen[0].url)) == ("DELETE", url)


async def test_the_concurrency_limit_is_a_clear_refusal() -> None:
    body = {"message": "User has reached maximum concurrent conversations"}
    tavus = tavus_for(lambda request: httpx.Response(400, json=body))
    with pytest.raises(RefusedError, match="maximum of concurrent conversations") as caught:
        await tavus.create()
    assert caught.value.category == ErrorCategory.RATE_LIMIT
    assert caught.value.status_code == 400
    assert "End an active conversation" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [(402, {"message": "Payment required"}), (400, {"error": "You are out of conversational credits"})],
)
async def test_running_out_of_credits_is_a_quota_error(status: int, body: dict[str, str]) -> None:
    with pytest.raises(PermanentError, match="no conversational credits") as caught:
        await tavus_for(lambda request: httpx.Response(status, json=body)).create()
    assert caught.value.category == ErrorCategory.QUOTA


@pytest.mark.parametrize(
    ("status", "error_type", "category"),
    [
        (401, PermanentError, ErrorCategory.AUTH),
        (404, PermanentError, ErrorCategory.INVALID_INPUT),
        (429, RefusedError, ErrorCategory.RATE_LIMIT),
    ],
)
async def test_other_errors_keep_the_tavus_message(
    status: int, error_type: type[ProviderError], category: ErrorCategory
) -> None:
    tavus = tavus_for(lambda request: httpx.Response(status, json={"message": "Invalid access token"}))
    with pytest.raises(error_type, match="Invalid access token") as caught:
        await tavus.end("c1")
    assert caught.value.category == category


async def test_a_created_answer_without_an_id_is_ambiguous() -> None:
    with pytest.raises(AmbiguousError, match="without a conversation id"):
        await tavus_for(lambda request: httpx.Response(200, json={"status": "active"})).create()


async def test_settings_from_the_environment_configure_ids_and_test_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRAMECAST_TAVUS__API_KEY", "env-key")
    monkeypatch.setenv("FRAMECAST_TAVUS__REPLICA_ID", "r9")
    monkeypatch.setenv("FRAMECAST_TAVUS__TEST_MODE", "true")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CREATED)

    http = build_http_client(transport=httpx.MockTransport(handler))
    tavus = TavusConversations.from_settings(http, Settings().tavus)
    await tavus.create()
    assert str(seen[0].url) == "https://tavusapi.com/v2/conversations"
    assert seen[0].headers["x-api-key"] == "env-key"
    assert json.loads(seen[0].content) == {"replica_id": "r9", "test_mode": True}


def test_building_from_settings_needs_a_key() -> None:
    with pytest.raises(ConfigurationError, match="FRAMECAST_TAVUS__API_KEY"):
        TavusConversations.from_settings(build_http_client(), TavusSettings())
