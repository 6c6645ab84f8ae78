"""``FRAMECAST_LOG_FORMAT``: JSON lines hold every field of a record; text lines stay as they were."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from framecast.core.log_format import JsonFormatter, configure_logging
from framecast.core.settings import Settings


@contextmanager
def bare_root_logger() -> Iterator[logging.Logger]:
    """The root logger with no handler (pytest's own are put back afterwards), as in a fresh process."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        yield root
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_a_json_line_holds_time_level_logger_message_and_the_extra_fields() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("framecast.test.json")
    logger.addHandler(handler)
    try:
        logger.warning("job %s retried", 12, extra={"job_id": 12, "folder": Path("/tmp/out")})
    finally:
        logger.removeHandler(handler)

    (entry,) = json_lines(out.getvalue())
    assert entry == {
        "time": entry["time"],
        "level": "WARNING",
        "logger": "framecast.test.json",
        "message": "job 12 retried",
        "job_id": 12,
        "folder": "/tmp/out",
    }
    assert isinstance(entry["time"], str)
    when = datetime.fromisoformat(entry["time"])
    assert when.utcoffset() is not None
    assert when.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 60


def test_a_json_line_carries_the_exception_text_on_one_line() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("framecast.test.json")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("the disk said no")
        except ValueError:
            logger.exception("download failed")
    finally:
        logger.removeHandler(handler)

    assert len(out.getvalue().splitlines()) == 1
    (entry,) = json_lines(out.getvalue())
    assert entry["level"] == "ERROR"
    assert entry["message"] == "download failed"
    assert isinstance(entry["exception"], str)
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: the disk said no")


def test_records_without_an_exception_or_extras_have_only_the_four_fields() -> None:
    record = logging.LogRecord("framecast.x", logging.INFO, __file__, 1, "plain", None, None)
    assert set(json.loads(JsonFormatter().format(record))) == {"time", "level", "logger", "message"}


def test_configure_logging_writes_the_usual_text_lines_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings()
    assert settings.log_format == "text"
    with bare_root_logger():
        configure_logging(settings)
        logging.getLogger("framecast.worker").info("worker %s started", "w1")

    line = capsys.readouterr().err
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO framecast\.worker: worker w1 started\n", line
    )


def test_configure_logging_writes_json_lines_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMECAST_LOG_FORMAT", "json")
    monkeypatch.setenv("FRAMECAST_LOG_LEVEL", "WARNING")
    with bare_root_logger():
        configure_logging(Settings())
        logging.getLogger("framecast.worker").info("not shown below the level")
        logging.getLogger("framecast.worker").warning("lease lost", extra={"job_id": 3})

    (entry,) = json_lines(capsys.readouterr().err)
    assert entry["logger"] == "framecast.worker"
    assert entry["message"] == "lease lost"
    assert entry["job_id"] == 3


def test_an_unknown_log_format_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECAST_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings()
