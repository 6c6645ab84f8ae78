"""``GET /api/health``: no login, the database checked, the workers that beat lately — on SQLite and
PostgreSQL — and 503 when the database does not answer."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from framecast import __version__
from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.jobs import beats
from framecast.web import monitoring
from framecast.web.app import create_app
from framecast.web.context import WebContext


@pytest.fixture
def served(settings: Settings, database_url: str) -> Iterator[tuple[TestClient, WebContext]]:
    """The app on a SQLite file and on PostgreSQL, without its worker."""
    app = create_app(settings.model_copy(update={"database_url": database_url}), embedded_worker=False)
    with TestClient(app) as client:
        yield client, app.state.web


def beat(context: WebContext, worker_id: str, *, age_s: float = 0.0) -> beats.Beat:
    written = dataclasses.replace(
        beats.describe(worker_id, ["offline"]), beat_at=utcnow() - timedelta(seconds=age_s)
    )
    with context.db.session() as session:
        beats.record_beat(session, written)
    return written


def test_health_needs_no_login_and_keeps_its_fields(served: tuple[TestClient, WebContext]) -> None:
    client, _ = served

    response = client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    workers = body.pop("workers")
    assert body == {"status": "ok", "version": __version__, "embedded_worker": False, "database": "ok"}
    # No Studio worker runs (embedded_worker off); the only worker that may be listed is the Tutor's
    # avatar-render worker of the app, once it has beaten.
    assert all(w["kinds"] == ["tutor.avatar_render"] for w in workers), workers


def test_health_lists_the_workers_that_beat_in_the_last_minutes(
    served: tuple[TestClient, WebContext],
) -> None:
    client, context = served
    fresh = beat(context, "host-a:10:aaaa", age_s=4.0)
    beat(context, "host-b:20:bbbb", age_s=beats.ALIVE_S + 30)

    listed = client.get("/api/health").json()["workers"]
    [worker] = [w for w in listed if w["id"].startswith("host-")]

    assert worker["id"] == "host-a:10:aaaa"
    assert worker["host"] == fresh.host
    assert datetime.fromisoformat(worker["beat_at"]) == fresh.beat_at
    assert 4.0 <= worker["seconds_since_beat"] < 60


def test_the_embedded_worker_is_listed_while_the_server_runs(settings: Settings) -> None:
    app = create_app(settings, embedded_worker=True)
    with TestClient(app) as client:
        deadline = time.monotonic() + 30

        def studio_workers() -> list[dict[str, object]]:
            listed = client.get("/api/health").json()["workers"]
            return [w for w in listed if "studio.generation" in w["kinds"]]

        while not (workers := studio_workers()):
            assert time.monotonic() < deadline, "the embedded worker never beat"
            time.sleep(0.05)
        [worker] = workers
        assert worker["seconds_since_beat"] < beats.BEAT_S + 5
    # Stopped cleanly: its row is gone.
    with app.state.web.db.session() as session:
        left = [b for b in beats.recent_beats(session) if "studio.generation" in (b.capabilities or "")]
    assert left == []


def test_health_is_503_when_the_database_refuses_connections(app: FastAPI, client: TestClient) -> None:
    with socket.socket() as probe:  # a port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.state.web.db = Database(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")

    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["workers"]) == ("unavailable", "unreachable", [])
    assert body["version"] == __version__


def test_health_is_503_when_the_database_does_not_answer_in_time(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitoring, "PROBE_TIMEOUT_S", 0.3)
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never says a word
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    app.state.web.db = Database(f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/none")
    try:
        started = time.monotonic()
        response = client.get("/api/health")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        silent.close()

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert elapsed < 5
    deadline = time.monotonic() + 30
    while monitoring.probes_waiting():  # the abandoned connection attempt ends once the socket closes
        assert time.monotonic() < deadline
        time.sleep(0.02)
