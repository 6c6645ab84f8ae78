"""A frontend of another origin calls the real server from real Chromium (``docs/frontend.md``).

The frontend is a static page on another port (another origin, the same site: the server's session
cookie is in the browser and would go along); its ``fetch`` calls go to ``framecast serve`` with
``FRAMECAST_WEB__CORS_ORIGINS`` listing it, so Chromium's own CORS checks decide what the page may
read. The same page opened as ``localhost`` is an origin not listed. (Both are loopback addresses like
the server: Chromium refuses calls from a public origin to a loopback one before any CORS check.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, StartServer, new_studio_context, set_up_admin

# fetch() from the page: the status, the headers the page may read, and the body; or the failure.
CALL = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    const headers = {};
    for (const [name, value] of response.headers) headers[name] = value;
    return {status: response.status, headers, body: await response.text()};
  } catch (error) {
    return {failed: String(error)};
  }
}"""


def open_frontend(context: BrowserContext, static_server: tuple[str, Path], *, listed: bool = True) -> Page:
    base, root = static_server
    (root / "index.html").write_text("<!doctype html><title>our app</title>", encoding="utf-8")
    page = context.new_page()
    page.goto(f"{base}/index.html" if listed else f"{base.replace('127.0.0.1', 'localhost')}/index.html")
    return page


def call(page: Page, url: str, **init: Any) -> dict[str, Any]:
    answer: dict[str, Any] = page.evaluate(CALL, [url, init])
    return answer


def log_in(page: Page, api: str) -> dict[str, Any]:
    return call(
        page,
        f"{api}/api/auth/login",
        method="POST",
        headers={"Content-Type": "application/json"},
        body=f'{{"email": "{ADMIN_EMAIL}", "password": "{ADMIN_PASSWORD}"}}',
    )


def test_a_listed_frontend_logs_in_and_reads_the_api_and_media_with_a_bearer_token(
    browser: Browser, start_server: StartServer, static_server: tuple[str, Path]
) -> None:
    server = start_server(FRAMECAST_WEB__CORS_ORIGINS=static_server[0])
    context = new_studio_context(browser, server)
    try:
        set_up_admin(context.new_page())  # the context now holds the server's session cookie
        page = open_frontend(context, static_server)
        api = server.base_url

        login = log_in(page, api)
        assert login.get("status") == 200, login
        bearer = {"Authorization": f"Bearer {json.loads(login['body'])['access_token']}"}

        me = call(page, f"{api}/api/users/me", headers=bearer)
        assert me.get("status") == 200, me
        assert ADMIN_EMAIL in me["body"]

        phrases = call(page, f"{api}/api/practice/phrases", headers=bearer)
        phrase_id = json.loads(phrases["body"])[0]["id"]
        audio = call(
            page, f"{api}/api/practice/phrases/{phrase_id}/audio", headers={**bearer, "Range": "bytes=0-9"}
        )
        assert audio.get("status") == 206, audio
        assert audio["headers"]["content-range"].startswith("bytes 0-9/")
        assert audio["headers"]["accept-ranges"] == "bytes"

        # Errors are readable too; cookies are never: a request with credentials cannot be read.
        assert call(page, f"{api}/api/me").get("status") == 401
        assert "failed" in call(page, f"{api}/api/me", credentials="include")
    finally:
        context.close()


def test_a_frontend_not_listed_cannot_even_log_in(
    browser: Browser, start_server: StartServer, static_server: tuple[str, Path]
) -> None:
    server = start_server(FRAMECAST_WEB__CORS_ORIGINS=static_server[0])
    context = new_studio_context(browser, server)
    try:
        set_up_admin(context.new_page())
        page = open_frontend(context, static_server, listed=False)

        assert "failed" in log_in(page, server.base_url)
        assert "failed" in call(page, f"{server.base_url}/api/health")
    finally:
        context.close()
