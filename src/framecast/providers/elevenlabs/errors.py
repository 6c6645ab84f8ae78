"""How ElevenLabs failures become :class:`~framecast.core.errors.ProviderError` subclasses.

Error bodies look like ``{"detail": {"status": "quota_exceeded", "message": "..."}}``; a 422 carries
FastAPI's ``{"detail": [{"loc": [...], "msg": "..."}]}``. The status code decides the category
(``providers/http_errors``); the body only supplies the words shown to the user.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from framecast.core.errors import AmbiguousError, NotSentError, ProviderError
from framecast.providers.http_errors import error_for_status, parse_retry_after

PROVIDER = "elevenlabs"


def detail_message(body: bytes) -> str:
    """The human part of an ElevenLabs error body, or a short snippet of whatever came back."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip() or "no details given"
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if isinstance(detail, dict):
        message = str(detail.get("message") or "").strip()
        status = str(detail.get("status") or "").strip()
        if status and message:
            return f"{message} ({status})"
        return message or status or "no details given"
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", []))
                parts.append(f"{where}: {item.get('msg', '')}".strip(": "))
        return "; ".join(parts) or "invalid request"
    if isinstance(detail, str):
        return detail
    return json.dumps(payload)[:200]


def status_error(response: httpx.Response, body: bytes) -> ProviderError:
    """The error for a non-2xx ``response`` whose body has been read into ``body``."""
    return error_for_status(
        response.status_code,
        f"HTTP {response.status_code}: {detail_message(body)}",
        provider=PROVIDER,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def transport_error(exc: httpx.TransportError) -> ProviderError:
    """Connect failures never reached ElevenLabs; anything later may have been billed."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return NotSentError(f"could not reach ElevenLabs: {exc!r}", provider=PROVIDER)
    return AmbiguousError(f"the connection to ElevenLabs failed mid-request: {exc!r}", provider=PROVIDER)
