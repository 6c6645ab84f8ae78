"""How D-ID failures become ``ProviderError`` subclasses.

Bodies look like ``{"kind": "AuthorizationError", "description": "user unauthenticated"}``; 451
(``TextModerationError``, ``CelebrityRecognizedError``...) is a moderation refusal, reported as unsafe
content.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from framecast.core.errors import AmbiguousError, ErrorCategory, NotSentError, PermanentError, ProviderError
from framecast.providers.http_errors import error_for_status, parse_retry_after

PROVIDER = "d-id"


def describe(error: Any) -> str:
    """``"Kind: description"`` from a D-ID error object (or a talk's ``error`` field)."""
    if not isinstance(error, dict):
        return str(error) if error else "no details given"
    kind = str(error.get("kind") or "").strip()
    description = str(error.get("description") or error.get("message") or "").strip()
    if kind and description:
        return f"{kind}: {description}"
    return kind or description or json.dumps(error)[:200]


def status_error(response: httpx.Response) -> ProviderError:
    """The error for a non-2xx ``response`` (its body already read)."""
    try:
        payload: Any = response.json()
        text = describe(payload)
    except ValueError:
        text = response.text[:200].strip() or "no details given"
    message = f"HTTP {response.status_code}: {text}"
    if response.status_code == 451:
        return PermanentError(
            message, provider=PROVIDER, category=ErrorCategory.UNSAFE_CONTENT, status_code=451
        )
    return error_for_status(
        response.status_code,
        message,
        provider=PROVIDER,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def transport_error(exc: httpx.TransportError) -> ProviderError:
    """Connect failures never reached D-ID; anything later may have created a talk."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return NotSentError(f"could not reach D-ID: {exc!r}", provider=PROVIDER)
    return AmbiguousError(f"the connection to D-ID failed mid-request: {exc!r}", provider=PROVIDER)
