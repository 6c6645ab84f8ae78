"""OpenAI-compatible chat completions: OpenRouter by default, or any compatible server (Ollama...).

``complete`` posts ``{model, messages, temperature}`` (plus ``response_format`` for JSON) to
``{base_url}/chat/completions``; ``stream`` adds ``stream: true`` and reads the SSE ``data:`` lines
up to ``data: [DONE]``, skipping ``: OPENROUTER PROCESSING`` keep-alive comments. An error object
in the middle of a stream (HTTP 200, top-level ``error``) is raised like an HTTP error.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from framecast.core.errors import AmbiguousError, ConfigurationError
from framecast.core.settings import OpenRouterSettings
from framecast.providers.base import ChatMessage
from framecast.providers.openrouter.errors import PROVIDER, error_from_object, status_error, transport_error

_ERROR_BODY_LIMIT = 64 * 1024


class OpenRouterChatProvider:
    """A chat model behind an OpenAI-compatible API; ``api_key`` may be None for a local server."""

    name = PROVIDER

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str | None,
        *,
        model: str,
        base_url: str = "https://openrouter.ai/api/v1",
        app_url: str = "",
        app_name: str = "",
        max_tokens: int | None = None,
    ) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/chat/completions"
        self._model = model
        self._max_tokens = max_tokens
        self._headers: dict[str, str] = {}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        if app_url:
            self._headers["HTTP-Referer"] = app_url
        if app_name:
            # X-Title is the name OpenRouter has always accepted; X-OpenRouter-Title is the new one.
            self._headers["X-Title"] = app_name

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, config: OpenRouterSettings) -> OpenRouterChatProvider:
        """Raises ``ConfigurationError`` when OpenRouter itself is configured without a key."""
        key = config.api_key.get_secret_value() if config.api_key else None
        if not key and "openrouter.ai" in config.base_url:
            raise ConfigurationError("OpenRouter needs an API key: set FRAMECAST_OPENROUTER__API_KEY")
        return cls(
            http,
            key,
            model=config.model,
            base_url=config.base_url,
            app_url=config.app_url,
            app_name=config.app_name,
        )

    def _body(self, messages: Sequence[ChatMessage], temperature: float) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": temperature,
        }
        if self._max_tokens is not None:
            body["max_tokens"] = self._max_tokens
        return body

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        temperature: float = 0.7,
    ) -> str:
        """The whole reply; with ``json_schema`` the model is asked for a JSON document of that shape.

        Raises a ``ProviderError`` subclass for HTTP errors (400 bad request, 401 key, 402 credits,
        403 moderation, 408, 429, 502, 503) and for error objects or empty answers in a 200 body.
        """
        body = self._body(messages, temperature)
        if json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(json_schema), "schema": json_schema},
            }
        try:
            response = await self._http.post(self._url, headers=self._headers, json=body)
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        if not response.is_success:
            raise status_error(response, response.content)
        try:
            payload = response.json()
        except ValueError as exc:
            raise AmbiguousError(
                "the chat server answered with something that is not JSON", provider=PROVIDER
            ) from exc
        return _reply_text(payload)

    async def stream(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.7
    ) -> AsyncIterator[str]:
        """The reply in pieces.

        Raises like :meth:`complete` for errors before the first token; a mid-stream error event is
        raised by its ``code``; ``AmbiguousError`` when the stream ends without ``[DONE]``.
        """
        body = {**self._body(messages, temperature), "stream": True}
        try:
            async with self._http.stream("POST", self._url, headers=self._headers, json=body) as response:
                if not response.is_success:
                    raw = b""
                    async for chunk in response.aiter_bytes():
                        raw += chunk
                        if len(raw) >= _ERROR_BODY_LIMIT:
                            break
                    raise status_error(response, raw)
                async for line in response.aiter_lines():
                    piece = _parse_sse_line(line)
                    if piece is _DONE:
                        return
                    if piece:
                        yield str(piece)
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        raise AmbiguousError("the chat stream ended before [DONE]", provider=PROVIDER)


_DONE = object()


def _parse_sse_line(line: str) -> object:
    """The text delta in one SSE line, ``_DONE`` at the end, or None for anything else.

    Raises the error in a mid-stream ``error`` event.
    """
    line = line.strip()
    # Blank lines separate events; lines starting with ":" are comments such as keep-alives.
    if not line or line.startswith(":") or not line.startswith("data:"):
        return None
    data = line[len("data:") :].strip()
    if data == "[DONE]":
        return _DONE
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise AmbiguousError(
            f"the chat stream sent an unreadable event: {data[:100]!r}", provider=PROVIDER
        ) from exc
    if not isinstance(chunk, dict):
        return None
    if "error" in chunk:
        raise error_from_object(chunk["error"])
    pieces = []
    for choice in chunk.get("choices") or []:
        if isinstance(choice, dict):
            if choice.get("error"):
                raise error_from_object(choice["error"])
            delta = choice.get("delta") or {}
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str):
                pieces.append(content)
    return "".join(pieces) or None


def _reply_text(payload: Any) -> str:
    """``choices[0].message.content`` of a completion; raises the error object it holds instead."""
    if isinstance(payload, dict) and "error" in payload:
        raise error_from_object(payload["error"])
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not choices or not isinstance(choices[0], dict):
        raise AmbiguousError("the chat server answered without any choices", provider=PROVIDER)
    choice = choices[0]
    if choice.get("error"):
        raise error_from_object(choice["error"])
    message = choice.get("message") or {}
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        reason = choice.get("finish_reason") or "unknown"
        raise AmbiguousError(f"the model gave an empty reply (finish_reason: {reason})", provider=PROVIDER)
    return content


def _schema_name(schema: dict[str, Any]) -> str:
    """A ``json_schema.name`` (letters, digits, ``_`` and ``-``) from the schema's title."""
    title = str(schema.get("title") or "reply")
    return re.sub(r"[^A-Za-z0-9_-]+", "_", title)[:64] or "reply"
