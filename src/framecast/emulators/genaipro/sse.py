"""An ASGI event-stream response that can end three ways: closed properly, left by the client, or cut.

A script writes the body through ``emit`` and says how the stream ends. While it runs, the response
listens for the client leaving and then stops the script at once (a stalled stream holds nothing
else open); when the server shuts down (``closing`` is set) it cuts the stream so that shutdown
never waits for a stalled or slow generation.

To cut the connection without a terminal chunk — the ``drop_after_events`` fault, or shutdown — the
response raises :class:`DroppedConnection`, on which uvicorn closes the socket; the log filter
installed by :func:`quiet_deliberate_drops` keeps that deliberate act out of uvicorn's error log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TypeAlias

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

Emit: TypeAlias = Callable[[bytes], Awaitable[None]]


class Ending(Enum):
    CLOSE = "close"  # finish the body properly
    DROP = "drop"  # abort the connection mid-body


Script: TypeAlias = Callable[[Emit], Awaitable[Ending]]


class DroppedConnection(Exception):  # noqa: N818 - it names the event, and is never an error to report
    """Raised by :class:`EventStreamResponse` to make the server abort the connection on purpose."""


class EventStreamResponse(Response):
    """``200 text/event-stream`` whose body is written by ``script``."""

    media_type = "text/event-stream"

    def __init__(self, script: Script, closing: asyncio.Event) -> None:
        # Not Response.__init__: that would declare a Content-Length for an empty body.
        self._script = script
        self._closing = closing
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream the script; raise :class:`DroppedConnection` when it asks for the connection to be cut."""
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})

        async def emit(chunk: bytes) -> None:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

        script = asyncio.ensure_future(self._script(emit))
        watcher = asyncio.ensure_future(_until_disconnect(receive))
        closer = asyncio.ensure_future(self._closing.wait())
        tasks = (script, watcher, closer)
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            # Outcomes are read from the tasks below; gather only waits for them to settle.
            await asyncio.gather(*tasks, return_exceptions=True)
        if script.cancelled():
            if closer.cancelled():
                return  # the client left; there is no one to finish the body for
            raise DroppedConnection("the emulator is shutting down")
        if script.result() is Ending.DROP:
            raise DroppedConnection("connection dropped on purpose by the emulator")
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class _DropFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


_DROP_FILTER = _DropFilter()


def quiet_deliberate_drops() -> None:
    """Keep uvicorn from logging :class:`DroppedConnection` as an application error (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if _DROP_FILTER not in logger.filters:
        logger.addFilter(_DROP_FILTER)
