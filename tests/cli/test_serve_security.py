"""``framecast serve`` over real HTTP: forwarded headers are believed only from a named proxy, and
the log holds no token.

Each test runs the real command in a subprocess on a free port of 127.0.0.1, with its own data dir;
the addresses in the forwarded headers are documentation ranges that no packet is ever sent to.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from framecast.db.migrate import upgrade
from framecast.db.session import Database
from framecast.web.security.accounts import NewUser, create_user

pytestmark = pytest.mark.timeout(180)

PASSWORD = "a sturdy admin password"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Served:
    base_url: str
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def ws_url(self, path: str) -> str:
        return "ws" + self.base_url.removeprefix("http") + path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(folder: Path, **env: str) -> Iterator[Served]:
    """``framecast serve --no-worker`` with an admin bob@example.com, stopped on exit; its log (stdout
    and stderr) is complete once the block ends."""
    data_dir = folder / "data"
    url = f"sqlite:///{data_dir / 'framecast.db'}"
    data_dir.mkdir(parents=True)
    upgrade(url)
    db = Database(url)
    try:
        create_user(db, NewUser("bob@example.com", "Bob", PASSWORD, is_admin=True))
    finally:
        db.dispose()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("FRAMECAST_", "VEO_"))}
    child_env.pop("FORWARDED_ALLOW_IPS", None)
    child_env.update(
        FRAMECAST_DATA_DIR=str(data_dir),
        FRAMECAST_ENVIRONMENT="test",
        FRAMECAST_TUTOR__WARM_UP="false",
        FRAMECAST_TUTOR__AVATAR="none",
        PYTHONUNBUFFERED="1",
        **env,
    )
    port = free_port()
    server = Served(f"http://127.0.0.1:{port}", folder / "server.log")
    with server.log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "framecast", "serve", "--port", str(port), "--no-worker"],
            cwd=folder,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)


def _wait_until_up(process: subprocess.Popen[bytes], server: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"framecast serve exited with {process.returncode}:\n{server.log.read_text()}")
        try:
            if httpx.get(server.url("/api/health"), timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a starting process; not an assertion
    raise RuntimeError(
        f"framecast serve did not answer within {START_TIMEOUT_S} s:\n{server.log.read_text()}"
    )


def login(server: Served, email: str, password: str, **headers: str) -> httpx.Response:
    return httpx.post(
        server.url("/api/auth/login"), json={"email": email, "password": password}, headers=headers
    )


LIMITS = {
    "FRAMECAST_WEB__LOGIN_ATTEMPTS": "3",
    "FRAMECAST_WEB__LOGIN_ATTEMPTS_PER_ADDRESS": "5",
    "FRAMECAST_WEB__LOGIN_DELAY_S": "600",
}


def test_spoofed_forwarded_addresses_from_localhost_are_not_believed(tmp_path: Path) -> None:
    with served(tmp_path, **LIMITS) as server:
        statuses = [
            login(
                server, f"guess{number}@example.com", "a guess", **{"X-Forwarded-For": f"198.51.100.{number}"}
            )
            for number in range(30)
        ]

    codes = [response.status_code for response in statuses]
    assert codes == [401] * 5 + [429] * 25
    assert 0 < int(statuses[-1].headers["Retry-After"]) <= 601


def test_spoofed_forwarded_proto_from_localhost_does_not_make_the_request_https(tmp_path: Path) -> None:
    with served(tmp_path) as server:
        response = httpx.post(
            server.url("/login"),
            data={"email": "bob@example.com", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"},
        )

    assert response.status_code == 303
    assert "secure" not in response.headers["set-cookie"].lower()


def test_a_named_proxys_forwarded_address_is_what_the_limit_counts(tmp_path: Path) -> None:
    with served(tmp_path, FRAMECAST_WEB__FORWARDED_ALLOW_IPS="127.0.0.1", **LIMITS) as server:
        attacker = {"X-Forwarded-For": "203.0.113.7"}
        guesses = [login(server, "bob@example.com", "a guess", **attacker).status_code for _ in range(4)]
        attacker_right = login(server, "bob@example.com", PASSWORD, **attacker)
        bob = login(server, "bob@example.com", PASSWORD, **{"X-Forwarded-For": "198.51.100.9"})
        https = httpx.post(
            server.url("/login"),
            data={"email": "bob@example.com", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"},
        )

    assert guesses == [401, 401, 401, 429]
    assert attacker_right.status_code == 429
    assert bob.status_code == 200
    assert "; secure" in https.headers["set-cookie"].lower()


def test_the_log_shows_no_token_value(tmp_path: Path) -> None:
    with served(tmp_path) as server:
        token = login(server, "bob@example.com", PASSWORD).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(server.url("/api/me"), params={"token": token}).status_code == 200
        stream_token = httpx.post(server.url("/api/auth/stream-token"), headers=bearer).json()["token"]
        for credential in (token, stream_token):
            with httpx.stream(
                "GET", server.url("/api/events"), params={"token": credential}, timeout=10
            ) as events:
                assert events.status_code == 200
                assert any(line.startswith("event: snapshot") for line in events.iter_lines())
        with connect(server.ws_url(f"/ws/conversation/not-a-session?token={token}"), open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "error"
        invite_url = httpx.post(
            server.url("/api/users/invites"), json={"email": "c@example.com", "name": "C"}, headers=bearer
        ).json()["invite_url"]
        assert httpx.get(server.url(invite_url)).status_code == 200
        reset_url = httpx.post(server.url("/api/users/1/reset-link"), headers=bearer).json()["reset_url"]
        assert httpx.get(server.url(reset_url)).status_code == 200
    log = server.log.read_text(encoding="utf-8", errors="replace")

    secrets = {
        "API token": token,
        "stream token": stream_token,
        "invitation": invite_url.rsplit("/", 1)[-1],
        "reset link": reset_url.rsplit("/", 1)[-1],
    }
    assert [name for name, value in secrets.items() if value in log] == []
    assert "GET /api/me?token=*** HTTP/1.1" in log
    assert "GET /api/events?token=*** HTTP/1.1" in log
    assert '"WebSocket /ws/conversation/not-a-session?token=***" [accepted]' in log
    assert "GET /invite/*** HTTP/1.1" in log
    assert "GET /reset/*** HTTP/1.1" in log
