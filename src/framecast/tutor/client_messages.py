"""Reading one client message of the conversation protocol: ``{"type": ..., "data": {...}}``.

Every problem is an ``InvalidInputError`` whose message names it, so the socket answers it with an
``error`` and stays usable. A large message is parsed in a worker thread (a recording's base64
takes milliseconds to scan, and the event loop serves everyone), and JSON nested too deeply for the
parser is refused like any other bad JSON instead of breaking the connection. Values the client
chose are echoed in messages shortened and escaped, never as they came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import anyio

from framecast.core.errors import InvalidInputError
from framecast.core.text import text_problem

MESSAGE_TYPES: Final = ("audio", "text", "control")
# Messages longer than this (characters) are parsed off the event loop.
PARSE_OFF_LOOP_CHARS: Final = 64 * 1024
MAX_CLIENT_ID_CHARS: Final = 64
_SHOWN_CHARS: Final = 40
_SHAPE: Final = 'a message must be a JSON object like {"type": "text", "data": {"text": "..."}}'


@dataclass(frozen=True)
class ClientMessage:
    kind: str  # one of MESSAGE_TYPES
    data: dict[str, Any]
    client_id: str | None


def shown(value: object) -> str:
    """``value`` as it may appear in an error message: its repr in ASCII (a lone surrogate or a NUL
    the client sent cannot break the reply), cut short."""
    text = ascii(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."


async def parse(raw: str) -> ClientMessage:
    """The message in ``raw``.

    Raises ``InvalidInputError`` when it is not JSON (or nested too deeply to read), not an object
    with a string ``type``, ``data`` is not an object, ``type`` is unknown, or ``client_id`` is not
    1 to 64 characters of text that can be stored.
    """
    payload = await _loads(raw)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise InvalidInputError(_SHAPE)
    kind: str = payload["type"]
    data = payload.get("data", {})
    if not isinstance(data, dict):
        raise InvalidInputError(f"the data of a {shown(kind)} message must be a JSON object")
    if kind not in MESSAGE_TYPES:
        raise InvalidInputError(
            f"unknown message type {shown(kind)}; expected one of: {', '.join(MESSAGE_TYPES)}"
        )
    client_id = data.get("client_id")
    if client_id is not None:
        if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_CHARS:
            raise InvalidInputError(
                f"client_id must be a string of 1 to {MAX_CLIENT_ID_CHARS} characters", field="client_id"
            )
        problem = text_problem(client_id)
        if problem is not None:
            raise InvalidInputError(f"client_id: {problem}", field="client_id")
    return ClientMessage(kind, data, client_id)


async def _loads(raw: str) -> Any:
    try:
        if len(raw) > PARSE_OFF_LOOP_CHARS:
            return await anyio.to_thread.run_sync(json.loads, raw)
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"the message is not JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:
        raise InvalidInputError(
            'the message is nested too deeply to read; send a JSON object like {"type": "text", '
            '"data": {"text": "..."}}'
        ) from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise InvalidInputError("the message holds a number too long to read") from None
