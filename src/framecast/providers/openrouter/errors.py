"""How OpenRouter (and OpenAI-compatible) failures become ``ProviderError`` subclasses.

Bodies look like ``{"error": {"code": 402, "message": "...", "metadata": {...}}}``; a 403 whose
metadata carries ``reasons`` / ``flagged_input`` is a moderation block, so it is reported as unsafe
content rather than as an authentication problem.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from framecast.core.errors import AmbiguousError, ErrorCategory, NotSentError, PermanentError, ProviderError
from framecast.providers.http_errors import error_for_status, parse_retry_after

PROVIDER = "openrouter"


def error_from_object(
    error: Any, *, status: int | None = None, retry_after: float | None = None
) -> ProviderError:
    """The error for an OpenRouter ``error`` object; ``status`` wins over ``error.code`` when given."""
    error = error if isinstance(error, dict) else {"message": str(error)}
    code = error.get("code")
    if status is None:
        status = code if isinstance(code, int) and 100 <= code <= 599 else 500
    message = str(error.get("message") or "no details given").strip()
    metadata = error.get("metadata") if isinstance(error.get("metadata"), dict) else {}
    if status == 403 and ("reasons" in metadata or "flagged_input" in metadata):
        reasons = ", ".join(str(r) for r in metadata.get("reasons") or []) or "moderation"
        return PermanentError(
            f"HTTP 403: the request was blocked by moderation ({reasons}): {message}",
            provider=PROVIDER,
            category=ErrorCategory.UNSAFE_CONTENT,
            status_code=403,
        )
    error_type = metadata.get("error_type")
    detail = f"{message} ({error_type})" if error_type else message
    return error_for_status(status, f"HTTP {status}: {detail}", provider=PROVIDER, retry_after=retry_after)


def status_error(response: httpx.Response, body: bytes) -> ProviderError:
    """The error for a non-2xx ``response`` whose body has been read into ``body``."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        payload: Any = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and "error" in payload:
        return error_from_object(payload["error"], status=response.status_code, retry_after=retry_after)
    text = body[:200].decode("utf-8", "replace").strip() or "no details given"
    return error_for_status(
        response.status_code,
        f"HTTP {response.status_code}: {text}",
        provider=PROVIDER,
        retry_after=retry_after,
    )


def transport_error(exc: httpx.TransportError) -> ProviderError:
    """Connect failures never reached the server; anything later may have been billed."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return NotSentError(f"could not reach the chat server: {exc!r}", provider=PROVIDER)
    return AmbiguousError(f"the connection to the chat server failed mid-request: {exc!r}", provider=PROVIDER)
