"""Real headless Chromium (Debian's ``chromium``) driven by Playwright; no browser is downloaded.

Studio tests run the real server as a subprocess (``python -m framecast serve``) on a free port with
its own data dir and small offline renders, and drive it through a fresh browser context each.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = os.environ.get("FRAMECAST_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network and a root user (see the machine notes): no sandbox, no background calls.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module.

    Not session-wide: while Playwright's sync API is started it holds an asyncio loop on the main
    thread, and every later test that calls ``asyncio.run`` (the rest of the suite) would fail.
    """
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (.ci/run does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server over a fresh folder: yields (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- the Studio server ---------------------------------------------------------------------------

# Room for a slow CI machine; a passing run never waits this long.
EXPECT_TIMEOUT_MS = 10_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

# An offline render of one second at 144p, on a loaded machine.
RENDER_TIMEOUT_MS = 20_000
SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 15.0
ADMIN_EMAIL = "admin@example.com"
ADMIN_NAME = "Ada Admin"
ADMIN_PASSWORD = "a long enough passphrase"
# Small, fast offline renders; the embedded worker runs the jobs.
SERVER_ENV = {
    "FRAMECAST_ENVIRONMENT": "test",
    "FRAMECAST_OFFLINE__SECONDS": "1",
    "FRAMECAST_OFFLINE__SHORT_SIDE": "144",
    "FRAMECAST_WEB__EMBEDDED_WORKER": "true",
    "FRAMECAST_JOBS__POLL_S": "0.1",
}


@dataclass(frozen=True)
class StudioServer:
    base_url: str
    data_dir: Path
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(process: subprocess.Popen[bytes], server: StudioServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"framecast serve exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a starting process; not an assertion
    raise RuntimeError(
        f"framecast serve did not answer within {SERVER_START_TIMEOUT_S} s:\n{server.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(SERVER_STOP_TIMEOUT_S)


@contextmanager
def running_studio(folder: Path, *, port: int | None = None, **env: str) -> Iterator[StudioServer]:
    """``framecast serve`` with ``SERVER_ENV`` plus ``env``, its data and log in ``folder``, on
    ``port`` (a free one when None; pass one to name the server's address in ``env`` beforehand).

    The environment is built from scratch for the child: the test process's own ``FRAMECAST_``
    variables (set by the suite's isolation fixture) are not inherited.
    """
    data_dir = folder / "data"
    data_dir.mkdir(parents=True)
    log = folder / "server.log"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("FRAMECAST_", "VEO_"))}
    child_env.update(SERVER_ENV, FRAMECAST_DATA_DIR=str(data_dir), **env)
    port = free_port() if port is None else port
    server = StudioServer(f"http://127.0.0.1:{port}", data_dir, log)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "framecast", "serve", "--port", str(port)],
            cwd=folder,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, server)
        yield server
    finally:
        _stop(process)


StartServer = Callable[..., StudioServer]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start a Studio server with extra environment variables; each is stopped after the test."""
    numbers = itertools.count()
    with ExitStack() as stack:

        def start(**env: str) -> StudioServer:
            folder = tmp_path / f"server-{next(numbers)}"
            return stack.enter_context(running_studio(folder, **env))

        yield start


@pytest.fixture
def server(start_server: StartServer) -> StudioServer:
    """A fresh Studio server on the offline provider, with no account yet."""
    return start_server()


def new_studio_context(browser: Browser, server: StudioServer, **options: Any) -> BrowserContext:
    browser_context = browser.new_context(base_url=server.base_url, accept_downloads=True, **options)
    browser_context.set_default_timeout(EXPECT_TIMEOUT_MS)
    return browser_context


@contextmanager
def watched_page(browser_context: BrowserContext, server: StudioServer) -> Iterator[Page]:
    """A page that fails the test if a script on it throws."""
    studio_page = browser_context.new_page()
    errors: list[str] = []
    studio_page.on("pageerror", lambda error: errors.append(str(error)))
    yield studio_page
    assert not errors, f"uncaught errors in the page: {errors}\nserver log:\n{server.log_tail()}"


@pytest.fixture
def context(browser: Browser, server: StudioServer) -> Iterator[BrowserContext]:
    browser_context = new_studio_context(browser, server)
    try:
        yield browser_context
    finally:
        browser_context.close()


@pytest.fixture
def page(context: BrowserContext, server: StudioServer) -> Iterator[Page]:
    """A page of a fresh server (first-run setup still to do)."""
    with watched_page(context, server) as studio_page:
        yield studio_page


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioServer]:
    """One offline Studio server for a module's tests that need no fresh database."""
    with running_studio(tmp_path_factory.mktemp("studio")) as studio:
        yield studio


@pytest.fixture(scope="module")
def admin_state(browser: Browser, shared_server: StudioServer) -> Any:
    """The shared server's administrator, set up once: the logged-in browser storage state."""
    browser_context = new_studio_context(browser, shared_server)
    try:
        set_up_admin(browser_context.new_page())
        return browser_context.storage_state()
    finally:
        browser_context.close()


@pytest.fixture
def admin_page(browser: Browser, shared_server: StudioServer, admin_state: Any) -> Iterator[Page]:
    """A page of the shared server, logged in as its administrator."""
    browser_context = new_studio_context(browser, shared_server, storage_state=admin_state)
    try:
        with watched_page(browser_context, shared_server) as studio_page:
            yield studio_page
    finally:
        browser_context.close()


def set_up_admin(page: Page) -> None:
    """Create the first administrator through /setup; the page ends in the Studio, logged in."""
    page.goto("/")
    expect(page).to_have_url("/setup")
    page.fill("#name", ADMIN_NAME)
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    page.fill("#password_confirm", ADMIN_PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page).to_have_url("/studio/text")
    expect(page.get_by_test_id("current-user")).to_have_text(ADMIN_NAME)


def log_in(page: Page, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Fill the login form the page is on and send it."""
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_test_id("logout").click()
    expect(page).to_have_url("/login")


def make_text_video(page: Page, prompt: str) -> str:
    """Make a text→video on the offline provider from the studio page; returns the file's URL."""
    page.goto("/studio/text")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    page.get_by_test_id("prompt").fill(prompt)
    page.get_by_test_id("generate").click()
    card = page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)
    src = card.get_by_test_id("result-video").get_attribute("src")
    assert src is not None
    assert src.startswith("/files/")
    return src
