"""Signed media links in a real Chromium: a page served from another origin (a school's own site)
plays a Tutor reply's avatar video through the signed URL the conversation socket gave, with no
cookie or header; the same URL with one character changed answers 403, and the server's log shows
no signature."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser
from websockets.sync.client import connect

from tests.browser.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    EXPECT_TIMEOUT_MS,
    RENDER_TIMEOUT_MS,
    StudioServer,
    free_port,
    new_studio_context,
    running_studio,
    set_up_admin,
)

TEXT = "Yesterday I go to the park and I see an dog."
PAGE = """<!doctype html>
<html><body>
<h1>A school's lesson page</h1>
<video id="v" src="{src}" muted playsinline preload="auto"></video>
</body></html>
"""
VIDEO = "document.getElementById('v')"


@pytest.fixture
def public_server(tmp_path: Path) -> Iterator[StudioServer]:
    """A server whose public address is its own: it answers absolute signed media URLs."""
    port = free_port()
    with running_studio(
        tmp_path / "studio", port=port, FRAMECAST_WEB__PUBLIC_BASE_URL=f"http://127.0.0.1:{port}"
    ) as server:
        yield server


def api_token(browser: Browser, server: StudioServer) -> str:
    """Set up the administrator through the page, then log in over the API for a bearer token."""
    setup = new_studio_context(browser, server)
    try:
        set_up_admin(setup.new_page())
    finally:
        setup.close()
    login = httpx.post(
        f"{server.base_url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


def reply_video_url(server: StudioServer, token: str) -> str:
    """Say something on a new session's socket; the ``video_update.video_url`` of the reply."""
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{server.base_url}/api/conversations/sessions", json={}, headers=headers)
    assert created.status_code == 201, created.text
    ws_url = f"ws://{urlsplit(server.base_url).netloc}/ws/conversation/{created.json()['id']}?token={token}"
    deadline = time.monotonic() + RENDER_TIMEOUT_MS / 1000
    reply_id: str | None = None
    with connect(ws_url, max_size=32 * 1024 * 1024) as ws:
        ws.recv(timeout=EXPECT_TIMEOUT_MS / 1000)  # the greeting
        ws.send(json.dumps({"type": "text", "data": {"text": TEXT}}))
        while True:
            message: dict[str, Any] = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            assert message["type"] != "error", message
            if message["type"] == "response":
                reply_id = message["data"]["message_id"]
            if message["type"] == "video_update" and message["data"]["message_id"] == reply_id:
                url: str = message["data"]["video_url"]
                return url


def one_character_changed(url: str) -> str:
    last = url[-1]
    return url[:-1] + ("A" if last != "A" else "B")


def test_a_page_on_another_origin_plays_a_signed_tutor_video_and_a_changed_link_is_refused(
    browser: Browser, public_server: StudioServer, static_server: tuple[str, Path]
) -> None:
    site, folder = static_server
    video_url = reply_video_url(public_server, api_token(browser, public_server))
    (folder / "lesson.html").write_text(PAGE.format(src=html.escape(video_url)), encoding="utf-8")

    assert urlsplit(video_url).netloc != urlsplit(site).netloc  # another origin
    assert video_url.startswith(f"{public_server.base_url}/api/tutor/messages/")
    visitor = browser.new_context()  # no cookie of the Framecast server
    try:
        page = visitor.new_page()
        page.goto(f"{site}/lesson.html")
        page.wait_for_function(f"{VIDEO}.readyState >= 2", timeout=RENDER_TIMEOUT_MS)
        page.evaluate(f"{VIDEO}.play()")
        started = page.evaluate(f"{VIDEO}.currentTime")
        page.wait_for_function(f"(t) => {VIDEO}.currentTime > t", arg=started)
        assert page.evaluate(f"{VIDEO}.error") is None
        assert visitor.cookies() == []
    finally:
        visitor.close()

    refused = httpx.get(one_character_changed(video_url))
    seeking = httpx.get(video_url, headers={"Range": "bytes=100-199"})
    assert refused.status_code == 403
    assert "changed or cut short" in refused.json()["error"]["message"]
    assert seeking.status_code == 206
    assert len(seeking.content) == 100
    signature = video_url.rsplit("sig=", 1)[1]
    log = public_server.log.read_text(encoding="utf-8", errors="replace")
    # The requests were logged, with the signature redacted.
    assert "/video?exp=" in log
    assert "sig=***" in log
    assert signature not in log
