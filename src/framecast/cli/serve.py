"""``framecast serve``: the web application (and, unless told otherwise, an embedded worker)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from framecast.core.settings import get_settings
from framecast.web.app import create_app


def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="Do not run jobs here (separate `framecast worker` processes do)."),
    ] = False,
) -> None:
    """Serve Framecast at http://HOST:PORT."""
    settings = get_settings()
    app = create_app(settings, embedded_worker=False if no_worker else None)
    typer.echo(f"Framecast at http://{host}:{port} (data in {settings.data_dir})")
    uvicorn.run(app, host=host, port=port, log_level="info")
