"""``framecast serve``: the web application (and, unless told otherwise, an embedded worker).

uvicorn runs with proxy headers off unless ``web.forwarded_allow_ips`` (or ``--forwarded-allow-ips``)
names the proxies to believe: uvicorn's own default trusts ``X-Forwarded-For`` from 127.0.0.1, so any
local process (or a proxy passing the header through) could choose the client address the login
rate limit counts against. Access and WebSocket log lines have their tokens redacted
(``web/security/log_redaction.py``), in text or, with ``FRAMECAST_LOG_FORMAT=json``, JSON lines
(``core/log_format.py``; then the banner and our own loggers write JSON lines too).
"""

from __future__ import annotations

import logging
import logging.config
import os
from typing import Annotated, Any

import typer
import uvicorn

from framecast.core.log_format import json_log_config
from framecast.core.settings import Settings, get_settings
from framecast.web.app import create_app
from framecast.web.routes import tutor_ws
from framecast.web.security.log_redaction import uvicorn_log_config

_log = logging.getLogger("framecast.serve")


def log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging configuration with tokens redacted, in ``settings.log_format``."""
    config = uvicorn_log_config()
    if settings.log_format == "json":
        return json_log_config(config, level=settings.log_level)
    return config


def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="Do not run jobs here (separate `framecast worker` processes do)."),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies whose X-Forwarded-For/-Proto are believed (addresses, networks or *, "
            "comma-separated); default FRAMECAST_WEB__FORWARDED_ALLOW_IPS, empty: none.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve Framecast at http://HOST:PORT."""
    settings = get_settings()
    chosen = settings.web.forwarded_allow_ips if forwarded_allow_ips is None else forwarded_allow_ips
    trusted = chosen.strip()
    logging_config = log_config(settings)
    json_lines = settings.log_format == "json"
    if json_lines:
        # Before the app starts, so that nothing it logs while starting is a line of plain text.
        logging.config.dictConfig(logging_config)

    def note(message: str, *, warning: bool = False) -> None:
        if json_lines:
            _log.log(logging.WARNING if warning else logging.INFO, message)
        else:
            typer.echo(message, err=warning)

    app = create_app(
        settings,
        embedded_worker=False if no_worker else None,
        tutor_renders=False if no_worker else None,
    )
    note(f"Framecast at http://{host}:{port} (data in {settings.data_dir})")
    if trusted:
        note(f"believing X-Forwarded-For and X-Forwarded-Proto from {trusted}")
    elif os.environ.get("FORWARDED_ALLOW_IPS"):
        note(
            "FORWARDED_ALLOW_IPS is ignored: set FRAMECAST_WEB__FORWARDED_ALLOW_IPS to name your proxy",
            warning=True,
        )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        log_config=logging_config,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        **tutor_ws.server_options(settings),
    )
