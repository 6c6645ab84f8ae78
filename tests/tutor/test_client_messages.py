"""Reading a client message: every problem named, large messages parsed off the event loop, and
nothing a client sends can break the reply that names it."""

from __future__ import annotations

import asyncio
import json

import pytest

from framecast.core.errors import InvalidInputError
from framecast.tutor.client_messages import PARSE_OFF_LOOP_CHARS, parse, shown


async def test_a_message_is_read_with_its_client_id() -> None:
    message = await parse('{"type": "text", "data": {"text": "Hi.", "client_id": "m-1"}}')

    assert (message.kind, message.data["text"], message.client_id) == ("text", "Hi.", "m-1")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"type": "text", "data": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        ('{"type": "text", "data": {"n": ' + "9" * 5000 + "}}", "number too long"),
        ('{"type": "text", "data": {"text": "x", "client_id": "a\\u0000b"}}', "client_id: contains a NUL"),
        (
            '{"type": "text", "data": {"text": "x", "client_id": "\\ud800"}}',
            "client_id: contains an unpaired",
        ),
        ('{"type": "text", "data": {"client_id": ""}}', "client_id must be a string of 1 to 64"),
        ('{"type": "' + "x" * 5000 + '"}', "unknown message type 'xxxxxxxx"),
    ],
)
async def test_bad_messages_are_refused_naming_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem) as refused:
        await parse(raw)

    assert len(str(refused.value)) < 300


def test_a_value_shown_in_a_message_is_short_and_ascii() -> None:
    assert shown("\ud800\x00") == "'\\ud800\\x00'"
    assert len(shown("x" * 10_000)) < 50
    str(shown("\udfff")).encode("utf-8")  # a reply holding it can be sent


async def test_a_large_message_is_parsed_while_the_event_loop_keeps_running() -> None:
    raw = json.dumps({"type": "audio", "data": {"audio": "A" * (PARSE_OFF_LOOP_CHARS * 40)}})
    ticks = 0
    parsing = True

    async def tick() -> None:
        nonlocal ticks
        while parsing:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    message = await parse(raw)
    during = ticks - before
    parsing = False
    await ticker

    assert message.kind == "audio"
    assert during > 0  # parsed on the loop, the ticker could not have run until it was done
