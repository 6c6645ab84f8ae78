"""How GenAIPro's failures become error categories: statuses, HTML pages, error events, transport.

The categories (see :mod:`framecast.core.errors`):

* :class:`NotSentError` — the request never left (connect/pool/write failure): resubmitting is safe.
* :class:`RefusedError` — the service said no before doing any work (429, most 5xx, an HTML
  maintenance page, a reCAPTCHA refusal, an explicit error event): retry after a pause.
* :class:`AmbiguousError` — the request may have been accepted and charged (a stalled, dropped or
  empty stream, a stream without a terminal event, a completion without a file URL, 502/504):
  never resubmit before reconciling with ``/veo/histories``.
* :class:`GenerationFailedError` — the service accepted the work, then failed it (an error event
  after status events: "Create video error", ``UNSAFE_GENERATION``, ``AUDIO_FILTERED``): it may have
  been charged, so the job engine sends it again only for a provider that refunds failures.
* :class:`PermanentError` — retrying cannot help (401, 402, unsafe content refused up front,
  validation errors).

The HTTP status table itself lives in :mod:`framecast.providers.http_errors`; this module only adds
what GenAIPro's bodies say (a reCAPTCHA 403, an HTML page, the words of an error event).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    FramecastError,
    GenerationFailedError,
    NotSentError,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.providers.genaipro.sse import Failed
from framecast.providers.http_errors import classify_status, error_for_status, parse_retry_after

PROVIDER = "genaipro"
MAINTENANCE_MESSAGE = (
    "GenAIPro is under maintenance (it answered with an HTML page); try again in 15-30 minutes"
)
# Failures raised before a single byte of the request reached the server.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)

_UNSAFE_MARKERS = ("unsafe", "audio_filtered", "content policy", "blocked", "violates", "inappropriate")
_QUOTA_MARKERS = ("insufficient", "not enough credit", "quota", "out of credit")
_RATE_MARKERS = ("rate limit", "too many requests")
_AUTH_MARKERS = ("invalid api key", "unauthorized", "unauthorised")


def failure_error(failed: Failed, *, accepted: bool = False) -> ProviderError:
    """The error for an explicit failure event, by what its message and code say.

    ``accepted``: the stream showed the request was accepted before it failed (a status event or a
    generation id came first). Such a failure ("Create video error", unsafe content, filtered audio)
    is a :class:`GenerationFailedError`: the work was taken on, so it may have been charged. A failure
    that is the stream's first word was refused before any work began.
    """
    code = failed.code
    status_code = code if isinstance(code, int) else None
    text = f"{failed.message} {code if code is not None else ''}".lower()
    label = f"GenAIPro reported an error{f' ({code})' if code is not None else ''}: {failed.message}"
    if "recaptcha" in text:
        return RefusedError(
            f"{label} (a reCAPTCHA check failed upstream; it usually passes after a pause)",
            provider=PROVIDER,
            category=ErrorCategory.REFUSED,
            status_code=status_code,
        )
    if code == 403:
        # A refusal of access (reCAPTCHA errors carry this code too), not a failed generation.
        return RefusedError(label, provider=PROVIDER, category=ErrorCategory.REFUSED, status_code=status_code)
    if any(marker in text for marker in _UNSAFE_MARKERS):
        unsafe = GenerationFailedError if accepted else PermanentError
        return unsafe(
            f"{label} ({unsafe_hint(text)})",
            provider=PROVIDER,
            category=ErrorCategory.UNSAFE_CONTENT,
            status_code=status_code,
        )
    if code == 401 or any(marker in text for marker in _AUTH_MARKERS):
        return PermanentError(
            f"{label} (check the API key)",
            provider=PROVIDER,
            category=ErrorCategory.AUTH,
            status_code=status_code,
        )
    if code == 402 or any(marker in text for marker in _QUOTA_MARKERS):
        return PermanentError(
            f"{label} (the account has no credits left)",
            provider=PROVIDER,
            category=ErrorCategory.QUOTA,
            status_code=status_code,
        )
    if code == 429 or any(marker in text for marker in _RATE_MARKERS):
        return RefusedError(
            label, provider=PROVIDER, category=ErrorCategory.RATE_LIMIT, status_code=status_code
        )
    if accepted:
        return GenerationFailedError(
            f"{label} (the generation failed after GenAIPro accepted it)",
            provider=PROVIDER,
            category=ErrorCategory.SERVER,
            status_code=status_code,
        )
    # An error before any sign of acceptance: nothing was taken on, so trying again is safe.
    return RefusedError(label, provider=PROVIDER, category=ErrorCategory.SERVER, status_code=status_code)


def failure_category(message: str) -> ErrorCategory:
    """The category of a failed history row by its ``error`` text: unsafe content, else server."""
    text = message.lower()
    return (
        ErrorCategory.UNSAFE_CONTENT
        if any(marker in text for marker in _UNSAFE_MARKERS)
        else ErrorCategory.SERVER
    )


def unsafe_hint(text: str) -> str:
    """What a content-filter refusal means, in words a user can act on."""
    if "audio" in text.lower():
        return "the generated sound or voice-over was filtered; change the spoken lines or sounds"
    return "the content filter refused the prompt or an image; rephrase it"


def status_error(response: httpx.Response, body: bytes) -> ProviderError:
    status = response.status_code
    message = error_message(body) or response.reason_phrase or "no message"
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 403 and "recaptcha" in message.lower():
        return RefusedError(
            f"GenAIPro answered HTTP 403: {message} (a reCAPTCHA check failed upstream)",
            provider=PROVIDER,
            category=ErrorCategory.REFUSED,
            status_code=status,
            retry_after=retry_after,
        )
    hint = _STATUS_HINTS.get(status, "")
    return error_for_status(
        status,
        f"GenAIPro answered HTTP {status}: {message}{hint}",
        provider=PROVIDER,
        retry_after=retry_after,
    )


_STATUS_HINTS = {
    401: " (check the API key: yours under Settings, or the platform's FRAMECAST_GENAIPRO__API_KEY)",
    402: " (the account has no credits left; top up at genaipro.vn)",
    429: " (too many requests; slowing down)",
}


def maintenance_error(response: httpx.Response) -> ProviderError:
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status >= 400 and classify_status(status)[0] is AmbiguousError:
        # A gateway error page (502/504) may hide a request the upstream already accepted.
        return AmbiguousError(
            f"{MAINTENANCE_MESSAGE} (HTTP {status} from a gateway: the request may have been accepted, "
            "so it will be looked up in the history first)",
            provider=PROVIDER,
            status_code=status,
            retry_after=retry_after,
        )
    return RefusedError(
        MAINTENANCE_MESSAGE,
        provider=PROVIDER,
        category=ErrorCategory.REFUSED,
        status_code=status,
        retry_after=retry_after,
    )


def transport_error(exc: httpx.HTTPError, *, idle_s: float | None) -> FramecastError:
    if isinstance(exc, _NOT_SENT):
        return NotSentError(
            f"could not reach GenAIPro ({type(exc).__name__}: {exc}); nothing was sent", provider=PROVIDER
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return ConfigurationError(
            f"the GenAIPro base URL is not an http(s) URL ({exc}); check FRAMECAST_GENAIPRO__BASE_URL"
        )
    if isinstance(exc, httpx.ReadTimeout) and idle_s is not None:
        what = f"sent nothing for {idle_s:g} s (the stream stalled)"
    else:
        what = f"connection broke ({type(exc).__name__}: {exc})"
    return AmbiguousError(
        f"GenAIPro {what}; the request may have been accepted, so it will be looked up in the history "
        "before any resubmit",
        provider=PROVIDER,
    )


def looks_like_html(body: bytes) -> bool:
    start = body.lstrip()[:16].lower()
    return start.startswith((b"<!doctype", b"<html"))


def error_message(body: bytes) -> str:
    """The human message in an error body: JSON ``error``/``message``/``detail``, else the text."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return ""
    try:
        payload = json.loads(text)
    except ValueError:
        return snippet(body)
    return _message_in(payload) or snippet(body)


def _message_in(payload: Any) -> str:
    if isinstance(payload, str):
        return payload.strip()
    if isinstance(payload, dict):
        for key in ("error", "message", "detail"):
            found = _message_in(payload.get(key))
            if found:
                return found
    if isinstance(payload, list):
        # FastAPI-style validation details: a list of objects with ``msg``.
        messages = [
            str(entry.get("msg")) for entry in payload if isinstance(entry, dict) and entry.get("msg")
        ]
        return "; ".join(messages)
    return ""


def snippet(body: bytes, limit: int = 300) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
