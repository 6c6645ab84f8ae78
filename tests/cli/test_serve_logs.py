"""``framecast serve`` logs: text lines by default, JSON lines with ``FRAMECAST_LOG_FORMAT=json``
(tokens redacted either way), and ``--no-worker`` leaves the jobs to ``framecast worker``."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from framecast.cli.serve import log_config
from framecast.core.settings import Settings
from framecast.web.security.log_redaction import uvicorn_log_config
from tests.cli.test_serve_security import served


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    """Put the root and uvicorn loggers back as they were after a test configures them."""
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(logger.handlers[:], logger.level, logger.propagate, logger.disabled) for logger in loggers]
    yield
    for logger, (handlers, level, propagate, disabled) in zip(loggers, saved, strict=True):
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


def test_the_text_format_is_uvicorns_redacting_configuration_unchanged() -> None:
    assert Settings().log_format == "text"
    assert log_config(Settings()) == uvicorn_log_config()


@pytest.mark.usefixtures("restored_loggers")
def test_json_lines_come_from_uvicorn_and_our_loggers_with_tokens_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRAMECAST_LOG_FORMAT", "json")
    config = log_config(Settings())
    out = io.StringIO()
    for handler in config["handlers"].values():
        handler["stream"] = out
    logging.config.dictConfig(config)

    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", "/api/events?token=s3cr3t", "1.1", 200
    )
    logging.getLogger("uvicorn.error").info('%s - "WebSocket %s" [accepted]', "c", "/ws/x?token=s3cr3t")
    logging.getLogger("framecast.jobs").warning("job %s: lease lost", 4, extra={"job_id": 4})

    assert "s3cr3t" not in out.getvalue()
    access, handshake, ours = (json.loads(line) for line in out.getvalue().splitlines())
    assert access["logger"] == "uvicorn.access"
    assert access["message"] == '127.0.0.1:1 - "GET /api/events?token=*** HTTP/1.1" 200'
    assert handshake["message"] == 'c - "WebSocket /ws/x?token=***" [accepted]'
    assert ours == {
        "time": ours["time"],
        "level": "WARNING",
        "logger": "framecast.jobs",
        "message": "job 4: lease lost",
        "job_id": 4,
    }


def test_a_real_server_with_json_logs_writes_nothing_but_json_lines(tmp_path: Path) -> None:
    with served(tmp_path, FRAMECAST_LOG_FORMAT="json") as server:
        assert httpx.get(server.url("/api/health")).status_code == 200
        httpx.get(server.url("/api/events?token=s3cr3t-value"))

    text = server.log.read_text(encoding="utf-8")
    assert "s3cr3t" not in text
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    messages = [entry["message"] for entry in entries]
    assert any(str(message).startswith("Framecast at http://127.0.0.1:") for message in messages)
    assert any("GET /api/events?token=*** HTTP/1.1" in str(message) for message in messages)
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)


def test_serve_no_worker_runs_no_jobs_in_the_web_process(tmp_path: Path) -> None:
    # ``served`` starts ``framecast serve --no-worker``; the default would run an embedded worker.
    assert Settings().web.embedded_worker is True
    with served(tmp_path) as server:
        health = httpx.get(server.url("/api/health")).json()
    assert health["embedded_worker"] is False
