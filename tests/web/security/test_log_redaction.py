"""Tokens never reach the server's log lines: the filter ``framecast serve`` installs on uvicorn."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest

from framecast.web.security.log_redaction import RedactTokens, redact, uvicorn_log_config


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("GET /api/events?token=s3cr3t-Value_1 HTTP/1.1", "GET /api/events?token=*** HTTP/1.1"),
        ("/api/events?batch_id=4&token=abc&job_id=2", "/api/events?batch_id=4&token=***&job_id=2"),
        (
            '"WebSocket /ws/conversation/7f?token=abc" [accepted]',
            '"WebSocket /ws/conversation/7f?token=***" [accepted]',
        ),
        ("/api/x?access_token=abc", "/api/x?access_token=***"),
        ("GET /invite/AbC-d_9 HTTP/1.1", "GET /invite/*** HTTP/1.1"),
        ("POST /reset/AbC-d_9?next=/ HTTP/1.1", "POST /reset/***?next=/ HTTP/1.1"),
        ("GET /api/jobs?state=failed HTTP/1.1", "GET /api/jobs?state=failed HTTP/1.1"),
        (
            "GET /files/7/content?exp=1800003600&sig=Ab-_9xYz HTTP/1.1",
            "GET /files/7/content?exp=1800003600&sig=*** HTTP/1.1",
        ),
        ("GET /files/7/content?download=1&sig=Ab-_9xYz", "GET /files/7/content?download=1&sig=***"),
        ("GET /api/x?design=blue HTTP/1.1", "GET /api/x?design=blue HTTP/1.1"),
    ],
)
def test_token_values_are_replaced_and_the_rest_is_kept(line: str, shown: str) -> None:
    assert redact(line) == shown


def test_the_filter_redacts_the_arguments_uvicorn_formats_its_access_line_from() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/events?token=s3cr3t", "1.1", 200),
        None,
    )

    assert RedactTokens().filter(record)

    assert "s3cr3t" not in record.getMessage()
    assert record.args == ("127.0.0.1:5000", "GET", "/api/events?token=***", "1.1", 200)


@pytest.fixture
def restored_uvicorn_loggers() -> Iterator[None]:
    """Put uvicorn's loggers back as they were after a test configures them."""
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(logger.handlers[:], logger.level, logger.propagate, logger.disabled) for logger in loggers]
    yield
    for logger, (handlers, level, propagate, disabled) in zip(loggers, saved, strict=True):
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


@pytest.mark.usefixtures("restored_uvicorn_loggers")
def test_uvicorns_config_with_the_filter_prints_no_token() -> None:
    config = uvicorn_log_config()
    out = io.StringIO()
    for handler in config["handlers"].values():
        handler["stream"] = out
    logging.config.dictConfig(config)

    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", "/api/me?token=s3cr3t", "1.1", 200
    )
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" [accepted]', "c", "/ws/conversation/1?token=s3cr3t"
    )

    assert "s3cr3t" not in out.getvalue()
    assert out.getvalue().count("token=***") == 2
