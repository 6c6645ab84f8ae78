"""``framecast serve``: the web application (and, unless told otherwise, an embedded worker).

uvicorn runs with proxy headers off unless ``web.forwarded_allow_ips`` (or ``--forwarded-allow-ips``)
names the proxies to believe: uvicorn's own default trusts ``X-Forwarded-For`` from 127.0.0.1, so any
local process (or a proxy passing the header through) could choose the client address the login
rate limit counts against. Access and WebSocket log lines have their tokens redacted
(``web/security/log_redaction.py``).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from framecast.core.settings import get_settings
from framecast.web.app import create_app
from framecast.web.routes import tutor_ws
from framecast.web.security.log_redaction import uvicorn_log_config


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
    app = create_app(settings, embedded_worker=False if no_worker else None)
    typer.echo(f"Framecast at http://{host}:{port} (data in {settings.data_dir})")
    if trusted:
        typer.echo(f"believing X-Forwarded-For and X-Forwarded-Proto from {trusted}")
    elif os.environ.get("FORWARDED_ALLOW_IPS"):
        typer.echo(
            "FORWARDED_ALLOW_IPS is ignored: set FRAMECAST_WEB__FORWARDED_ALLOW_IPS to name your proxy",
            err=True,
        )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_log_config(),
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        **tutor_ws.server_options(settings),
    )
