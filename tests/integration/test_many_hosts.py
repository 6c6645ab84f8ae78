"""Issue 12's acceptance run: two ``framecast serve --no-worker`` and three ``framecast worker``
processes on one PostgreSQL database, as an operator spreads Framecast over hosts.

- A 40-item batch created through the first server's API against the emulator at concurrency 4:
  every item succeeds, never more than 4 requests are in flight, none is refused for concurrency
  (the workers share the account's slots), and the second server's event stream sees every item
  finish (news through ``NOTIFY``).
- A Tutor socket on the first server hears ``video_update`` for avatar videos the workers render
  (no server renders anything), including one whose worker was killed with ``kill -9`` mid-render.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from framecast.db.models import Job
from framecast.db.session import Database
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.integration.conftest import genaipro_env
from tests.metrics_text import parse, value
from tests.web.test_batches_api import image

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(420)]
PASSWORD = "a long test password"
SCRAPE_TOKEN = "a-long-random-scrape-token"
ITEMS = 40
WAIT_S = 150.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _processes(
    env: dict[str, str], commands: list[list[str]], logs: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    files = []
    try:
        for n, command in enumerate(commands):
            log = (logs / f"process-{n}.log").open("wb")
            files.append(log)
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "framecast", *command],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in files:
            log.close()


def _wait_healthy(root: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server at {root} stopped with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(root + "/api/health", timeout=2).status_code in (200, 503):
                return
        time.sleep(0.2)
    raise AssertionError(f"the server at {root} did not start")


class _Stream(threading.Thread):
    """The second server's ``/api/events``: the last state seen of every job."""

    def __init__(self, root: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = root + "/api/events"
        self.token = token
        self.states: dict[int, str] = {}
        self.finished_in_events: set[int] = set()
        self.opened = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.stream("GET", self.url, headers=headers, timeout=httpx.Timeout(10, read=None)) as response:
            event = ""
            for line in response.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                    if event == "snapshot":
                        self.opened.set()
                        for item in data["items"]:
                            self.states[item["id"]] = item["state"]
                    elif event == "job":
                        self.states[data["id"]] = data["state"]
                        if data["state"] == "succeeded":
                            self.finished_in_events.add(data["id"])


def _until_video(ws: Any, message_id: str | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if message["type"] == "video_update" and message_id in (None, message["data"]["message_id"]):
            return dict(message["data"])
    raise AssertionError("no video_update arrived")


def _until_reply(ws: Any) -> str:
    while True:
        message = json.loads(ws.recv(timeout=WAIT_S))
        if message["type"] == "response":
            return str(message["data"]["message_id"])


def _render_of(db: Database, message_id: str) -> Job | None:
    with db.session() as session:
        for job in session.query(Job).filter(Job.kind == "tutor.avatar_render"):
            if job.request.get("message_id") == message_id:
                return job
    return None


def test_two_servers_and_three_workers_share_one_queue_its_limits_and_its_news(
    emulator: EmulatorHandle, postgres_url: str, tmp_path: Path
) -> None:
    emulator.reset(latency=0.3, concurrency=4)
    env = {
        **os.environ,
        **genaipro_env(emulator),
        "FRAMECAST_DATABASE_URL": postgres_url,
        "FRAMECAST_DATA_DIR": str(tmp_path / "data"),
        "FRAMECAST_TUTOR__AVATAR": "offline",
        "FRAMECAST_TUTOR__WARM_UP": "false",
        "FRAMECAST_GENAIPRO__CONCURRENCY": "4",
        # A killed worker's render (and its slots) come back after this.
        "FRAMECAST_JOBS__LEASE_S": "4",
        "FRAMECAST_JOBS__HEARTBEAT_S": "1",
        "FRAMECAST_JOBS__METRICS_PUBLISH_S": "0.5",
        "FRAMECAST_WEB__METRICS_TOKEN": SCRAPE_TOKEN,
    }
    subprocess.run(
        [sys.executable, "-m", "framecast", "users", "create", "--email", "op@example.com",
         "--password", PASSWORD, "--name", "Operator"],
        env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    ports = [_free_port(), _free_port()]
    roots = [f"http://127.0.0.1:{port}" for port in ports]
    commands = [["serve", "--no-worker", "--port", str(port)] for port in ports]
    commands += [["worker", "--concurrency", "4"] for _ in range(3)]
    db = Database(postgres_url)
    with _processes(env, commands, tmp_path) as processes:
        for root, process in zip(roots, processes, strict=False):
            _wait_healthy(root, process)
        workers = processes[2:]
        login = httpx.post(
            roots[0] + "/api/auth/login", json={"email": "op@example.com", "password": PASSWORD}
        )
        token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        stream = _Stream(roots[1], token)
        stream.start()
        assert stream.opened.wait(30)

        text = "".join(f"item{n}\nA heron over a lake, shot {n}\n\n" for n in range(ITEMS))
        preview = httpx.post(
            roots[0] + "/api/batches/preview",
            data={"kind": "aroll", "provider": "genaipro"},
            files=[("file", ("shots.txt", text.encode())), ("frame", ("frame.png", image()))],
            headers=headers,
            timeout=30,
        )
        assert preview.status_code == 200, preview.text
        batch = httpx.post(
            roots[0] + "/api/batches", json={"upload_id": preview.json()["upload_id"]}, headers=headers
        ).json()

        # The Tutor: a socket on the first server; the greeting's video is rendered by a worker.
        session_id = httpx.post(roots[0] + "/api/conversations/sessions", json={}, headers=headers).json()[
            "id"
        ]
        ws_url = roots[0].replace("http", "ws") + f"/ws/conversation/{session_id}?token={token}"
        with connect(ws_url, max_size=32 * 1024 * 1024) as ws:
            greeting = _until_reply(ws)
            video = _until_video(ws, greeting)
            assert video["video_url"].endswith(f"/messages/{greeting}/video")
            # kill -9 the worker holding a render: another worker finishes it.
            killed = None
            for attempt in range(4):
                ws.send(json.dumps({"type": "text", "data": {"text": f"I like herons, number {attempt}."}}))
                reply = _until_reply(ws)
                deadline = time.monotonic() + 30
                job = _render_of(db, reply)
                while time.monotonic() < deadline and (job is None or job.state == "queued"):
                    time.sleep(0.01)
                    job = _render_of(db, reply)
                if job is not None and job.state == "running" and job.lease_owner:
                    pid = int(job.lease_owner.split(":")[1])
                    holder = next((w for w in workers if w.pid == pid), None)
                    if holder is not None:
                        os.kill(pid, signal.SIGKILL)
                        holder.wait(10)
                        killed = reply
                        break
                _until_video(ws, reply)
            assert killed is not None, "no render could be caught running"
            recovered = _until_video(ws, killed)
            assert recovered["message_id"] == killed
            job = _render_of(db, killed)
            assert job is not None
            assert job.state == "succeeded"

        # The batch, through the servers' API and the second server's stream.
        batch_url = roots[0] + f"/api/batches/{batch['id']}"
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            items = httpx.get(batch_url, headers=headers).json()["items"]
            if all(item["state"] in ("succeeded", "failed", "cancelled") for item in items):
                break
            time.sleep(0.5)
        assert [item["state"] for item in items] == ["succeeded"] * ITEMS
        with db.session() as session:
            job_ids = {job.id for job in session.query(Job).filter(Job.batch_id == batch["id"])}
        assert len(job_ids) == ITEMS
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not job_ids <= stream.finished_in_events:
            time.sleep(0.2)
        stream.stop.set()
        assert job_ids <= stream.finished_in_events
        stats = emulator.stats()
        assert stats["accepted"] == ITEMS
        assert stats["max_in_flight"] == 4
        assert stats["refused_by"]["concurrency"] == 0

        # The workers' counts reach the second server's /metrics through the database (it runs no
        # worker itself). The killed worker's last half second of counts is lost: at most its 4
        # requests in flight.
        deadline = time.monotonic() + 30
        while True:
            scraped = httpx.get(roots[1] + "/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
            families = parse(scraped.text)
            ok = value(families, "framecast_provider_requests_total", provider="genaipro", outcome="ok") or 0
            if ok >= ITEMS or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert ok >= ITEMS - 4
        assert (value(families, "framecast_job_claims_total", provider="genaipro") or 0) >= ok
    db.dispose()
