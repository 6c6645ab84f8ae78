"""What the SDK raises, translated once into Framecast's errors.

The SDK raises ``google.genai.errors.APIError`` (``ClientError`` for 4xx, ``ServerError`` for 5xx)
carrying the HTTP status, Google's status word (``RESOURCE_EXHAUSTED``, ``UNAVAILABLE``…) and the
``httpx`` response; transport failures come through as ``httpx`` exceptions; a setting the chosen API
does not accept raises ``ValueError`` before anything is sent.

Statuses go through the one table in ``providers.http_errors``, with one Google rule on top: 503
``UNAVAILABLE`` ("the model is overloaded") is a request to slow down, so it counts as a rate limit
and the shared limiter backs off, like a 429 ``RESOURCE_EXHAUSTED``. Google says how long to wait in
a ``google.rpc.RetryInfo`` detail (``"retryDelay": "30s"``) rather than ``Retry-After``; both are read.
"""

from __future__ import annotations

from typing import Any

import httpx
from google.genai import errors as genai_errors

from framecast.core.errors import (
    AmbiguousError,
    ErrorCategory,
    InvalidInputError,
    NotSentError,
    ProviderError,
    RefusedError,
)
from framecast.providers.http_errors import error_for_status, parse_retry_after

PROVIDER = "google-veo"
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


def translate(exc: BaseException, *, sent: str) -> FramecastErrorLike:
    """The Framecast error for ``exc`` raised while sending ``sent`` (what the request was, for the
    message). Unknown exceptions are returned as an ambiguous error: the request may have left."""
    if isinstance(exc, genai_errors.APIError):
        return _api_error(exc, sent)
    if isinstance(exc, ValueError):
        return InvalidInputError(f"Google refused the request before sending it: {exc}")
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return NotSentError(f"could not reach Google for {sent}: {_describe(exc)}", provider=PROVIDER)
    if isinstance(exc, httpx.HTTPError):
        # Sent, and the answer was lost (read timeout, connection cut): it may have started.
        return AmbiguousError(f"{sent}: the answer was lost ({_describe(exc)})", provider=PROVIDER)
    return AmbiguousError(f"{sent}: {_describe(exc)}", provider=PROVIDER)


FramecastErrorLike = ProviderError | InvalidInputError


def _api_error(exc: genai_errors.APIError, sent: str) -> ProviderError:
    status = int(exc.code or 500)
    word = str(exc.status or "")
    message = f"{sent}: HTTP {status}{' ' + word if word else ''}: {exc.message or 'no message'}"
    retry_after = retry_delay(exc)
    if status == 503:
        return RefusedError(
            message,
            provider=PROVIDER,
            category=ErrorCategory.RATE_LIMIT,
            status_code=status,
            retry_after=retry_after,
        )
    return error_for_status(status, message, provider=PROVIDER, retry_after=retry_after)


def retry_delay(exc: genai_errors.APIError) -> float | None:
    """Seconds Google asks to wait: a ``RetryInfo`` detail, else ``Retry-After``; None if neither."""
    for detail in _details(exc.details):
        if detail.get("@type") == _RETRY_INFO:
            delay = str(detail.get("retryDelay") or "").strip().removesuffix("s")
            try:
                return max(0.0, float(delay))
            except ValueError:
                break
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        return parse_retry_after(headers.get("retry-after"))
    return None


def _details(body: Any) -> list[dict[str, Any]]:
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
