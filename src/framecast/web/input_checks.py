"""Text and numbers no route can store are refused at the edge, naming where they were.

An ASGI middleware (inside :mod:`framecast.web.body_limits`, so every body it reads is already
bounded) that looks at what a client sends before any route does:

* the path and each query parameter: no NUL, no broken Unicode (``core/text.py``), no whole number
  above what the database stores (an id in the path above 2^31 - 1, a query number above 2^63 - 1:
  ``?offset=99999999999999999999`` used to end in a 500);
* a JSON body: it must decode (at most :data:`MAX_JSON_DEPTH` levels deep), and every string in it
  passes the same text rule and every integer the same range, checked key by key;
* a form body (``application/x-www-form-urlencoded``): each field by the same text rule.

Multipart bodies (uploads) stream to their routes unread; their text fields are checked by the
routes themselves. A refusal is a 400 in the one JSON error shape whose message names the field by
its label ("Email: contains a NUL character ...") and whose ``details.field`` is its name.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from framecast.core.text import text_problem
from framecast.web.errors import error_body
from framecast.web.field_labels import label

# The largest whole number a BIGINT column (and SQLite's INTEGER) holds.
MAX_INTEGER = 2**63 - 1
# The largest id: ids are INTEGER columns (32 bits on PostgreSQL), so a larger one names nothing.
MAX_ID = 2**31 - 1
# Deeper JSON is refused: nobody's form is a hundred levels deep, and Python's parser recurses.
MAX_JSON_DEPTH = 64
# JSON bodies larger than this are decoded in a worker thread, not on the event loop.
THREAD_JSON_BYTES = 64 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InputProblemError(Exception):
    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem

    def message(self) -> str:
        if self.field is None:
            return self.problem
        return f"{label(self.field)}: {self.problem}"


def check_text(field: str | None, value: str) -> None:
    problem = text_problem(value)
    if problem is not None:
        raise InputProblemError(field, problem)
    if value.isascii() and value.isdigit() and len(value) > 18 and int(value) > MAX_INTEGER:
        raise InputProblemError(field, f"the number {value} is too large (at most {MAX_INTEGER})")


def check_json(value: Any, field: str | None = None, depth: int = 0) -> None:
    """Every string and integer inside a decoded JSON ``value``; ``field`` is the nearest key."""
    if depth > MAX_JSON_DEPTH:
        raise InputProblemError(field, f"is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise InputProblemError(field, problem)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -MAX_INTEGER - 1 <= value <= MAX_INTEGER:
            raise InputProblemError(field, f"the number {value} is out of range (at most {MAX_INTEGER})")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            problem = text_problem(name)
            if problem is not None:
                raise InputProblemError(None, f"a field name {problem}")
            check_json(item, name, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, field, depth + 1)


def decode_json(body: bytes) -> Any:
    """The JSON document, or :class:`InputProblemError` when it is not one (or too deep to decode)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise InputProblemError(None, f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError):
        # Left to the route, whose validation names what is wrong with it.
        return _NOT_JSON


_NOT_JSON = object()


class InputCheckMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_address(scope)
        except InputProblemError as problem:
            await _refuse(send, problem)
            return
        content_type = _header(scope, b"content-type").split(";")[0].strip().lower()
        if scope["method"] not in _BODY_METHODS or content_type not in (
            "application/json",
            "application/x-www-form-urlencoded",
        ):
            await self.app(scope, receive, send)
            return
        body, more = await _read_all(receive)
        try:
            if content_type == "application/json":
                if len(body) > THREAD_JSON_BYTES:
                    await anyio.to_thread.run_sync(_check_json_body, body)
                else:
                    _check_json_body(body)
            else:
                for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                    check_text(name, value)
        except InputProblemError as problem:
            await _refuse(send, problem)
            return
        await self.app(scope, _replay(body, more, receive), send)


def _check_address(scope: Scope) -> None:
    path: str = scope["path"]
    if text_problem(path) is not None:
        raise InputProblemError(None, "the address holds a NUL character or broken Unicode")
    for segment in path.split("/"):
        if segment.isascii() and segment.isdigit() and len(segment) > 9 and int(segment) > MAX_ID:
            raise InputProblemError(
                None, f"the address holds a number too large for an id ({segment}; at most {MAX_ID})"
            )
    query: bytes = scope.get("query_string", b"")
    if not query:
        return
    for part in query.split(b"&"):
        raw_name, _, raw_value = part.partition(b"=")
        name = _unquote(raw_name, None)
        check_text(name, _unquote(raw_value, name))


def _unquote(raw: bytes, field: str | None) -> str:
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputProblemError(field, "is not valid UTF-8 text") from None


def _check_json_body(body: bytes) -> None:
    document = decode_json(body)
    if document is not _NOT_JSON:
        check_json(document)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


async def _read_all(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and any message that came after it (a disconnect) to hand on."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), [message]
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), []


def _replay(body: bytes, after: list[Message], receive: Receive) -> Receive:
    sent = False
    pending = list(after)

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _refuse(send: Send, problem: InputProblemError) -> None:
    details = {"field": problem.field} if problem.field else {}
    body = json.dumps(error_body("invalid_input", problem.message(), details)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
