"""Who is listening to which tutor session in this process, so late news (a finished avatar video)
reaches every open socket of the session. Delivery is best effort: the news is also stored."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class SessionHub:
    def __init__(self) -> None:
        self._listeners: dict[str, list[Send]] = {}

    def subscribe(self, session_id: str, send: Send) -> Callable[[], None]:
        """Listen to a session; returns the function that stops listening."""
        self._listeners.setdefault(session_id, []).append(send)

        def unsubscribe() -> None:
            listeners = self._listeners.get(session_id, [])
            if send in listeners:
                listeners.remove(send)
            if not listeners:
                self._listeners.pop(session_id, None)

        return unsubscribe

    def listeners(self, session_id: str) -> int:
        return len(self._listeners.get(session_id, []))

    async def publish(self, session_id: str, message: dict[str, Any]) -> None:
        for send in list(self._listeners.get(session_id, [])):
            try:
                await send(message)
            except Exception as exc:  # a socket closing while we send: it will read the DB later
                log.info("could not deliver %s to a listener of %s: %s", message.get("type"), session_id, exc)
