"""Tavus real-time conversations: create, end (``POST .../end``) and delete.

A created conversation holds a Daily room, a concurrency slot and running credits until it is
ended or times out, so callers end it as soon as the learner leaves. Authentication is the
``x-api-key`` header. Error bodies carry a ``message`` (sometimes ``error``); the 400 saying
"maximum concurrent conversations" is raised as a :class:`RefusedError` that says what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    NotSentError,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.core.settings import TavusSettings
from framecast.providers.http_errors import error_for_status, parse_retry_after

PROVIDER = "tavus"


@dataclass(frozen=True)
class TavusConversation:
    conversation_id: str
    conversation_url: str | None
    status: str | None  # "active", or "ended" in test mode
    conversation_name: str | None = None
    replica_id: str | None = None
    persona_id: str | None = None
    created_at: str | None = None
    meeting_token: str | None = None


class TavusConversations:
    """The conversation endpoints of ``https://tavusapi.com/v2``."""

    name = PROVIDER

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str = "https://tavusapi.com",
        replica_id: str | None = None,
        persona_id: str | None = None,
        test_mode: bool = False,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._headers = {"x-api-key": api_key}
        self._replica_id = replica_id
        self._persona_id = persona_id
        self._test_mode = test_mode

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, config: TavusSettings) -> TavusConversations:
        """Raises ``ConfigurationError`` when no Tavus key is configured."""
        if config.api_key is None or not config.api_key.get_secret_value():
            raise ConfigurationError("Tavus needs an API key: set FRAMECAST_TAVUS__API_KEY")
        return cls(
            http,
            config.api_key.get_secret_value(),
            base_url=config.base_url,
            replica_id=config.replica_id,
            persona_id=config.persona_id,
            test_mode=config.test_mode,
        )

    async def create(
        self,
        *,
        conversation_name: str | None = None,
        conversational_context: str | None = None,
        custom_greeting: str | None = None,
        callback_url: str | None = None,
        audio_only: bool | None = None,
        properties: dict[str, Any] | None = None,
        test_mode: bool | None = None,
    ) -> TavusConversation:
        """Starts a conversation (billing starts now); ``test_mode`` defaults to the configured one.

        Raises ``RefusedError`` (rate limit) when the account is at its maximum of concurrent
        conversations, ``PermanentError`` (quota) when out of credits, other ``ProviderError``
        subclasses by HTTP status, and ``AmbiguousError`` for a 2xx without a conversation id.
        """
        body: dict[str, Any] = {}
        optional = {
            "replica_id": self._replica_id,
            "persona_id": self._persona_id,
            "conversation_name": conversation_name,
            "conversational_context": conversational_context,
            "custom_greeting": custom_greeting,
            "callback_url": callback_url,
            "audio_only": audio_only,
            "properties": properties,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        if test_mode if test_mode is not None else self._test_mode:
            body["test_mode"] = True
        response = await self._send("POST", "/v2/conversations", json=body)
        try:
            payload: Any = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not payload.get("conversation_id"):
            raise AmbiguousError(
                f"Tavus answered HTTP {response.status_code} without a conversation id", provider=PROVIDER
            )

        def text(key: str) -> str | None:
            value = payload.get(key)
            return str(value) if value is not None else None

        return TavusConversation(
            conversation_id=str(payload["conversation_id"]),
            conversation_url=text("conversation_url"),
            status=text("status"),
            conversation_name=text("conversation_name"),
            replica_id=text("replica_id"),
            persona_id=text("persona_id"),
            created_at=text("created_at"),
            meeting_token=text("meeting_token"),
        )

    async def end(self, conversation_id: str) -> None:
        """Ends the call and frees its concurrency slot. Raises a ``ProviderError`` subclass."""
        await self._send("POST", f"/v2/conversations/{conversation_id}/end")

    async def delete(self, conversation_id: str, *, hard: bool = False) -> None:
        """Deletes the conversation's data (``hard`` also its assets, irrevocably); 204 on success."""
        params = {"hard": "true"} if hard else None
        await self._send("DELETE", f"/v2/conversations/{conversation_id}", params=params)

    async def _send(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method, f"{self._base_url}{path}", headers=self._headers, json=json, params=params
            )
        except httpx.TransportError as exc:
            if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
                raise NotSentError(f"could not reach Tavus: {exc!r}", provider=PROVIDER) from exc
            raise AmbiguousError(
                f"the connection to Tavus failed mid-request: {exc!r}", provider=PROVIDER
            ) from exc
        if not response.is_success:
            raise status_error(response)
        return response


def status_error(response: httpx.Response) -> ProviderError:
    """The error for a non-2xx Tavus ``response``, with the two failures learners hit made plain."""
    status = response.status_code
    message = _body_message(response)
    lowered = message.lower()
    if "maximum concurrent conversations" in lowered:
        return RefusedError(
            "Tavus refused a new conversation: the account is at its maximum of concurrent "
            f"conversations. End an active conversation and try again (Tavus said: {message})",
            provider=PROVIDER,
            category=ErrorCategory.RATE_LIMIT,
            status_code=status,
        )
    if "out of conversational credits" in lowered or status == 402:
        return PermanentError(
            f"Tavus has no conversational credits left on this account (Tavus said: {message})",
            provider=PROVIDER,
            category=ErrorCategory.QUOTA,
            status_code=status,
        )
    return error_for_status(
        status,
        f"HTTP {status}: {message}",
        provider=PROVIDER,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def _body_message(response: httpx.Response) -> str:
    try:
        payload: Any = response.json()
    except ValueError:
        return response.text[:200].strip() or "no details given"
    if isinstance(payload, dict):
        for key in ("message", "error", "detail"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, dict) and value.get("message"):
                return str(value["message"])
    return json.dumps(payload)[:200]
