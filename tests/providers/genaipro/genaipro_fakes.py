"""Test doubles for the GenAIPro provider tests: a fake at the transport and a recording journal.

Imported by name from the tests beside it (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx

from framecast.providers.base import Progress

BASE_URL = "https://genaipro.test/api/v1"
API_KEY = "eyJ.test.key"

Responder = Callable[[httpx.Request], httpx.Response]


class RecordingJournal:
    """Writes every journal call into a log shared with the fake server, so order can be checked."""

    def __init__(self, log: list[Any]) -> None:
        self.log = log

    async def before_submit(self) -> None:
        self.log.append("before_submit")

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        self.log.append(("accepted", provider_ids))

    async def progress(self, progress: Progress) -> None:
        self.log.append(("progress", progress.status, progress.percent))

    @property
    def accepted_ids(self) -> list[tuple[str, ...]]:
        return [entry[1] for entry in self.log if isinstance(entry, tuple) and entry[0] == "accepted"]

    @property
    def progress_reports(self) -> list[tuple[str, int | None]]:
        return [
            (entry[1], entry[2]) for entry in self.log if isinstance(entry, tuple) and entry[0] == "progress"
        ]


class FakeGenAIPro:
    """The transport handler: records requests in the shared log and answers with ``respond``."""

    def __init__(self) -> None:
        self.log: list[Any] = []
        self.requests: list[httpx.Request] = []
        self.respond: Responder = lambda request: httpx.Response(404)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.log.append(("request", request.method, request.url.path))
        self.requests.append(request)
        return self.respond(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def answer(self, response: httpx.Response | Callable[[], httpx.Response]) -> None:
        """Answer every request with ``response`` (a factory gives a fresh one per request)."""
        self.respond = lambda request: response() if callable(response) else response

    def stream(
        self,
        chunks: Iterable[bytes],
        *,
        status: int = 200,
        content_type: str = "text/event-stream",
        headers: dict[str, str] | None = None,
        then_raise: type[httpx.TransportError] | None = None,
    ) -> None:
        """Answer with a streamed body of ``chunks``, optionally breaking with ``then_raise``."""
        parts = list(chunks)

        def respond(request: httpx.Request) -> httpx.Response:
            async def body() -> AsyncIterator[bytes]:
                for part in parts:
                    yield part
                if then_raise is not None:
                    raise then_raise("the connection broke", request=request)

            return httpx.Response(
                status, headers={"content-type": content_type, **(headers or {})}, content=body()
            )

        self.respond = respond

    @staticmethod
    def sse(
        *events: tuple[str | None, str], space: bool = False, newline: str = "\n", final_blank: bool = True
    ) -> bytes:
        """Encode ``(event name or None, data)`` pairs the way GenAIPro does (no space by default)."""
        gap = " " if space else ""
        blocks = []
        for name, data in events:
            lines = [f"event:{gap}{name}"] if name is not None else []
            lines += [f"data:{gap}{line}" for line in data.split("\n")]
            blocks.append(newline.join(lines) + newline)
        text = newline.join(blocks)
        if final_blank:
            text += newline
        return text.encode()

    @staticmethod
    def completion(*items: dict[str, Any]) -> str:
        return json.dumps(list(items))

    def parts(self) -> list[Message]:
        """The parts of the last request's multipart body, parsed with the standard library."""
        request = self.last
        head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + request.content)
        assert message.is_multipart()
        return list(message.iter_parts())  # type: ignore[attr-defined]

    def fields(self) -> dict[str, list[str]]:
        """The plain (non-file) fields of the last multipart request."""
        fields: dict[str, list[str]] = {}
        for part in self.parts():
            if part.get_filename() is None:
                name = str(part.get_param("name", header="content-disposition"))
                fields.setdefault(name, []).append(part.get_content())  # type: ignore[attr-defined]
        return fields

    def files(self) -> list[tuple[str, str, str, bytes]]:
        """``(field, filename, content type, bytes)`` for each file of the last multipart request."""
        return [
            (
                str(part.get_param("name", header="content-disposition")),
                str(part.get_filename()),
                part.get_content_type(),
                part.get_payload(decode=True),  # type: ignore[misc]
            )
            for part in self.parts()
            if part.get_filename() is not None
        ]
