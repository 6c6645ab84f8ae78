"""Raw-wire helpers: plain ``httpx`` calls and a small SSE splitter, so tests check bytes, not a client."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

AUTH = {"Authorization": "Bearer eyJ.test.token"}
LANDSCAPE = "VIDEO_ASPECT_RATIO_LANDSCAPE"
TEXT_TO_VIDEO = {"prompt": "a cat in a garden", "aspect_ratio": LANDSCAPE, "number_of_videos": 1}
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a") + b"not really a png, the emulator does not decode uploads"


def post_stream(client: httpx.Client, path: str, **kwargs: Any) -> tuple[httpx.Response, str]:
    """POST and read the whole (streamed) body as text."""
    with client.stream("POST", path, **kwargs) as response:
        body = response.read().decode()
    return response, body


_LINE = re.compile(r"^(event|data): ?(.*)$")


def sse_events(body: str) -> list[tuple[str, str]]:
    """(event, data) pairs, tolerant of a space after the colon; lines without a field are skipped."""
    events: list[tuple[str, str]] = []
    for block in body.split("\n\n"):
        name, data = "", None
        for line in block.split("\n"):
            match = _LINE.match(line)
            if match and match.group(1) == "event":
                name = match.group(2)
            elif match:
                data = match.group(2)
        if data is not None:
            events.append((name, data))
    return events


def wait_until(check: Callable[[], Any], *, timeout: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.05)


def history(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/veo/histories", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def wait_for_completed(client: httpx.Client, item_id: str) -> dict[str, Any]:
    def completed() -> dict[str, Any] | None:
        for item in history(client, page_size=100)["data"]:
            if item["id"] == item_id and item["status"] == "completed":
                return dict(item)
        return None

    found: dict[str, Any] = wait_until(completed)
    return found


def only_item_id(client: httpx.Client) -> str:
    items = history(client)["data"]
    assert len(items) == 1
    return str(items[0]["id"])


def png_upload(name: str = "frame.png") -> tuple[str, bytes, str]:
    return (name, PNG_BYTES, "image/png")


def read_raw(response: httpx.Response) -> tuple[bytes, httpx.HTTPError | None]:
    """What arrived before the body ended, and the error that ended it early (None if it ended properly)."""
    received = b""
    try:
        for chunk in response.iter_raw():
            received += chunk
    except httpx.HTTPError as exc:
        return received, exc
    return received, None
