"""Request bodies: refused over their route's limit, and never read for a caller who is not logged in.

An ASGI middleware, in front of everything else, so that no route (nor FastAPI's form and JSON
parsing, which run before any dependency) reads a byte of a body it should not:

* The limit of each route comes from :func:`body_limit`: uploads by their own limits (images,
  batch files, recordings), every other body by ``FRAMECAST_WEB__MAX_JSON_BYTES``. A declared
  ``Content-Length`` over it is refused at once with 413; a body sent without one (chunked) is
  counted while it streams and refused the moment it passes the limit.
* A request with a body to any route but the few that log people in (:data:`PUBLIC_BODY_ROUTES`)
  must carry valid credentials, checked before the body is read: otherwise 401 (an API path) or a
  redirect to the login page. The caller found is kept for the route's own login check, so the
  credentials are looked up once.

Both answers use the one JSON error shape of ``web/errors.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from framecast.core.settings import Settings
from framecast.providers.base import MAX_INGREDIENTS
from framecast.tutor.recordings import max_message_bytes
from framecast.web.errors import error_body

# What a multipart form carries besides its files (boundaries, headers, text fields).
FORM_OVERHEAD = 1024 * 1024
# Routes that take a body from someone not logged in yet: the login, first-run, invitation and
# sign-up forms and APIs, and GenAIPro's callback (its token in the path is checked by the route; the
# body is never read).
PUBLIC_BODY_ROUTES = re.compile(
    r"^(?:/login|/logout|/setup|/signup|/invite/[^/]+|/reset/[^/]+|/api/auth/login|/api/users/register"
    r"|/api/callbacks/genaipro/[^/]+)/?$"
)

Limit = Callable[[Settings], int]


@dataclass(frozen=True)
class _Rule:
    method: str
    path: re.Pattern[str]
    limit: Limit


# Routes whose bodies are larger than a small JSON document, with what they may legitimately hold.
_UPLOAD_RULES = (
    # Start and end frame, or up to MAX_INGREDIENTS references: each at most one upload's size.
    _Rule(
        "POST",
        re.compile(r"^/api/jobs/?$"),
        lambda s: (2 + MAX_INGREDIENTS) * s.web.max_upload_bytes + FORM_OVERHEAD,
    ),
    # The batch file and its images (a frame, a reference, or many numbered images).
    _Rule(
        "POST",
        re.compile(r"^/api/batches/preview/?$"),
        lambda s: s.web.max_batch_file_bytes + s.web.max_batch_images_bytes + FORM_OVERHEAD,
    ),
    # A practice recording, base64 in JSON: what a Tutor message may hold (the socket's limit too).
    _Rule(
        "POST",
        re.compile(r"^/api/practice/attempts/?$"),
        lambda s: max_message_bytes(s.tutor.max_audio_bytes),
    ),
)


def body_limit(method: str, path: str, settings: Settings) -> int:
    """The most bytes a ``method`` request to ``path`` may carry."""
    for rule in _UPLOAD_RULES:
        if rule.method == method and rule.path.match(path):
            return rule.limit(settings)
    return settings.web.max_json_bytes


class BodyTooLargeError(Exception):
    """Raised inside a request whose streamed body passed its limit."""


Authenticator = Callable[[HTTPConnection], Awaitable[Any]]


class BodyLimitMiddleware:
    """See the module docstring. ``authenticate`` answers the caller of a connection, or None."""

    def __init__(self, app: ASGIApp, *, settings: Settings, authenticate: Authenticator) -> None:
        self.app = app
        self.settings = settings
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        headers = {key.lower(): value for key, value in scope.get("headers", [])}
        limit = body_limit(method, path, self.settings)
        declared = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit():
                await _answer(send, 400, "invalid_input", "Content-Length is not a number of bytes")
                return
            if int(text) > limit:
                await _too_large(send, limit)
                return
        has_body = chunked or (declared is not None and declared.strip() not in (b"", b"0"))
        if has_body and not PUBLIC_BODY_ROUTES.match(path):
            caller = await self.authenticate(HTTPConnection(scope))
            if caller is None:
                await _refuse_anonymous(scope, send)
                return
            # The route's own login check finds it here instead of looking it up again.
            scope.setdefault("state", {})["caller"] = caller
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                # Whatever the application made of the cut body, the answer is 413.
                if not started:
                    started = True
                    await _too_large(send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLargeError:
            if not started:
                await _too_large(send, limit)


async def _answer(send: Send, status: int, kind: str, message: str) -> None:
    body = json.dumps(error_body(kind, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _too_large(send: Send, limit: int) -> None:
    await _answer(
        send,
        413,
        "too_large",
        f"the request body is larger than the {_size(limit)} this address accepts",
    )


async def _refuse_anonymous(scope: Scope, send: Send) -> None:
    path: str = scope["path"]
    if path.startswith("/api/"):
        await _answer(send, 401, "not_authenticated", "log in first")
        return
    target = quote(path, safe="/")
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", f"/login?next={target}".encode()),
                (b"content-length", b"0"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit / mib:.1f} MiB".replace(".0 MiB", " MiB") if limit >= mib else f"{limit:,} bytes"
