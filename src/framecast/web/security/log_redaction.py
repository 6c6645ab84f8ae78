"""Keep credentials out of the server's logs.

EventSource and WebSocket clients may authenticate with ``?token=<token>``, signed media links carry
``sig=``, and invitation and reset links carry a token in their path; uvicorn logs every request line
(``uvicorn.access``) and every WebSocket handshake (``uvicorn.error``) with its query string.
:class:`RedactTokens`, installed on both handlers by :func:`uvicorn_log_config` (``framecast
serve``), writes ``token=***``, ``sig=***`` and ``/invite/***`` instead. It rewrites the record's
message and arguments, so any formatter prints the redacted text.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

# ``token=``, ``access_token=`` and the like in a query string, up to the next separator; and
# ``sig=``, the signature that makes a media link a permission (``media_links.py``).
_QUERY_TOKEN = re.compile(r"(?i)([?&;](?:[a-z_]*token|sig)=)[^&;#\s\"']*")
# Paths whose last part is a one-time secret.
_PATH_TOKEN = re.compile(r"(/(?:invite|reset)/)[^/?#\s\"']+")
REDACTED = "***"


def redact(text: str) -> str:
    """``text`` with token values replaced by ``***``."""
    return _PATH_TOKEN.sub(rf"\g<1>{REDACTED}", _QUERY_TOKEN.sub(rf"\g<1>{REDACTED}", text))


class RedactTokens(logging.Filter):
    """A logging filter that redacts tokens in a record's message and string arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with :class:`RedactTokens` on every handler."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": f"{__name__}.RedactTokens"}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact_tokens"]
    return config
