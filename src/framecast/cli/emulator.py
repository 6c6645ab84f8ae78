"""``framecast emulator``: local servers that speak the remote APIs, with fault injection.

``framecast emulator genaipro`` serves GenAIPro's Veo v1 API for tests and for rehearsing a batch
without paying: point ``FRAMECAST_GENAIPRO__BASE_URL`` at the URL it prints.
"""

from __future__ import annotations

from typing import Annotated

import typer

from framecast.core.errors import InvalidInputError

app = typer.Typer(no_args_is_help=True, add_completion=False)


@app.callback()
def emulator() -> None:
    """Local emulators of remote APIs."""


@app.command("genaipro")
def genaipro(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8787,
    latency: Annotated[float, typer.Option(help="Seconds from acceptance to completion.")] = 3.0,
    concurrency: Annotated[int, typer.Option(help="Generations in flight at once (0 = unlimited).")] = 0,
    rate_per_minute: Annotated[
        int, typer.Option(help="Generation requests per sliding minute (0 = unlimited).")
    ] = 0,
    quota: Annotated[int | None, typer.Option(help="Total credits (default: unlimited).")] = None,
    api_key: Annotated[
        str | None, typer.Option(help="The only bearer token accepted (default: any non-empty token).")
    ] = None,
    fault_rate: Annotated[float, typer.Option(help="Chance that a generation request gets a fault.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of fault picking and wire variations.")] = 0,
    media_seconds: Annotated[float, typer.Option(help="Length of the served clips.")] = 2.0,
    media_size: Annotated[int, typer.Option(help="Short side in pixels of served clips and images.")] = 360,
) -> None:
    """Serve GenAIPro's Veo v1 API (SSE generation, quota, history, files) on HOST:PORT."""
    from framecast.emulators.genaipro.config import EmulatorConfig
    from framecast.emulators.genaipro.server import base_url, bind_socket, build_server

    try:
        config = EmulatorConfig(
            latency=latency,
            concurrency=concurrency,
            rate_per_minute=rate_per_minute,
            quota=quota,
            api_key=api_key,
            fault_rate=fault_rate,
            seed=seed,
            media_seconds=media_seconds,
            media_size=media_size,
        )
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    port = sock.getsockname()[1]  # the real one when --port 0 asked for any free port
    server = build_server(config, host, port)
    url = base_url(host, port)
    typer.echo(f"GenAIPro emulator: base URL {url}")
    typer.echo(f"Admin: {url.removesuffix('/api/v1')}/_emulator/stats  (Ctrl+C to stop)")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
