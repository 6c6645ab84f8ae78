"""How log records are written: text lines (the default) or JSON lines (``FRAMECAST_LOG_FORMAT=json``).

A JSON line is one object per record: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
``exception`` (the traceback text) when the record carries one, ``stack`` for ``stack_info``, and every
field the caller passed in ``extra``. The message is the record's own, formatted after the handlers'
filters ran, so :class:`~framecast.web.security.log_redaction.RedactTokens` redacts JSON lines too.

:func:`configure_logging` sets up a command's root logger (``framecast worker``);
:func:`json_log_config` turns a ``logging.config.dictConfig`` configuration (uvicorn's, for
``framecast serve``) into one that writes JSON lines.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

from framecast.core.settings import Settings

# What ``framecast worker`` has always printed.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The attributes every LogRecord has, and those formatters add; anything else came from ``extra``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",  # Python 3.12+
    # uvicorn's coloured copy of the message (escape codes, never redacted): not a field of ours.
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        # default=str: an ``extra`` value JSON cannot hold (a Path, an id object) is shown as text.
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(settings: Settings) -> logging.Formatter:
    """The formatter ``settings.log_format`` asks for."""
    if settings.log_format == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    """Log to stderr at ``settings.log_level`` in ``settings.log_format`` (like ``logging.basicConfig``,
    it does nothing when the root logger already has a handler)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(settings))
    logging.basicConfig(level=settings.log_level, handlers=[handler])


def json_log_config(config: dict[str, Any], *, level: str) -> dict[str, Any]:
    """A copy of the ``dictConfig`` ``config`` whose every formatter writes JSON lines, and whose root
    logger (our own loggers, which uvicorn's configuration leaves alone) writes on its ``default``
    handler at ``level``, so that every line of the output is JSON."""
    result = copy.deepcopy(config)
    result["formatters"] = {
        name: {"()": f"{__name__}.JsonFormatter"} for name in result.get("formatters", {})
    }
    if "default" in result.get("handlers", {}):
        result["root"] = {"handlers": ["default"], "level": level}
    return result
