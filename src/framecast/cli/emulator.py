"""``framecast emulator``: local servers that speak the remote APIs, with fault injection.

``framecast emulator genaipro`` serves GenAIPro's Veo v1 API for tests and for rehearsing a batch
without paying: point ``FRAMECAST_GENAIPRO__BASE_URL`` at the URL it prints. ``--fault-rate`` gives
generation requests and the GETs of quota, credits and history random faults, ``--fault-kinds``
restricts which, and ``--files-need-auth`` makes downloads ask for the bearer token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.faults import FaultKind, FaultTarget

if TYPE_CHECKING:
    import uvicorn

_GENERATION_KINDS = ", ".join(kind.value for kind in FaultKind if kind.target is FaultTarget.GENERATION)
_READ_KINDS = ", ".join(kind.value for kind in FaultKind if kind.target is FaultTarget.READ)

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
    fault_rate: Annotated[
        float,
        typer.Option(
            help="Chance that a request gets a random fault: generation requests draw a generation "
            "kind, GETs of /veo/me, /veo/credits and /veo/histories a read kind."
        ),
    ] = 0.0,
    fault_kinds: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated fault kinds random faults are drawn from (default: every kind). "
            f"Generation kinds: {_GENERATION_KINDS}. Read kinds: {_READ_KINDS}."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of fault picking and wire variations.")] = 0,
    media_seconds: Annotated[float, typer.Option(help="Length of the served clips.")] = 2.0,
    media_size: Annotated[int, typer.Option(help="Short side in pixels of served clips and images.")] = 360,
    files_need_auth: Annotated[
        bool,
        typer.Option(
            "--files-need-auth",
            help="Answer 401 to downloads under /files/ without a bearer token the API accepts.",
        ),
    ] = False,
    # -- v2, the task API --
    v2_rate_per_minute: Annotated[
        int,
        typer.Option(
            help="v2 requests of any kind (submissions and polls) per sliding minute (0 = unlimited)."
        ),
    ] = 30,
) -> None:
    """Serve GenAIPro's Veo v1 API (SSE generation, quota, history, files) on HOST:PORT, and its v2
    task API (202 + polling) beside it under /api/v2."""
    from framecast.emulators.genaipro.config import EmulatorConfig
    from framecast.emulators.genaipro.server import base_url, build_server

    try:
        config = EmulatorConfig(
            latency=latency,
            concurrency=concurrency,
            rate_per_minute=rate_per_minute,
            quota=quota,
            api_key=api_key,
            fault_rate=fault_rate,
            fault_kinds=_kind_names(fault_kinds),
            seed=seed,
            media_seconds=media_seconds,
            media_size=media_size,
            files_need_auth=files_need_auth,
            v2_rate_per_minute=v2_rate_per_minute,
        )
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None

    def banner(port: int) -> list[str]:
        url = base_url(host, port)
        return [
            f"GenAIPro emulator: base URL {url}",
            f"v2 task API beside it under {url.removesuffix('/v1')}/v2",
            f"Admin: {url.removesuffix('/api/v1')}/_emulator/stats  (Ctrl+C to stop)",
        ]

    _serve(host, port, lambda port: build_server(config, host, port), banner)


def _serve(
    host: str, port: int, build: Callable[[int], uvicorn.Server], banner: Callable[[int], list[str]]
) -> None:
    """Listen on HOST:PORT (0: any free port), print the banner for the real port, serve until Ctrl+C."""
    from framecast.emulators.serving import bind_socket

    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    port = sock.getsockname()[1]  # the real one when --port 0 asked for any free port
    server = build(port)
    for line in banner(port):
        typer.echo(line)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _kind_names(text: str | None) -> tuple[FaultKind, ...] | None:
    """``--fault-kinds a,b`` as kinds; None when not given. Raises :class:`InvalidInputError` for an
    unknown name, listing the known ones."""
    if text is None:
        return None
    return tuple(FaultKind.parse(name.strip()) for name in text.split(",") if name.strip())


# -- google-veo ------------------------------------------------------------------------------------


@app.command("google-veo")
def google_veo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8788,
    latency: Annotated[
        float, typer.Option(help="Seconds from creation until an operation is done (minutes: 120 and more).")
    ] = 2.0,
    api_key: Annotated[
        str | None, typer.Option(help="The only API key accepted (default: any non-empty key).")
    ] = None,
    fault_rate: Annotated[
        float, typer.Option(help="Chance that a generation request or a poll gets a random fault.")
    ] = 0.0,
    fault_kinds: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated kinds random faults are drawn from (default: every kind): "
            "resource_exhausted, unavailable, operation_error, rai_filtered (create); drop_poll, "
            "poll_unavailable (poll)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of fault picking.")] = 0,
    media_seconds: Annotated[float, typer.Option(help="Length of the served clips.")] = 2.0,
    media_size: Annotated[int, typer.Option(help="Short side in pixels of served clips and images.")] = 360,
) -> None:
    """Serve the Gemini API routes google-genai calls for Veo and Imagen on HOST:PORT."""
    from framecast.emulators.google_veo.config import EmulatorConfig
    from framecast.emulators.google_veo.faults import FaultKind as GoogleFault
    from framecast.emulators.google_veo.server import base_url, build_server

    try:
        kinds = (
            tuple(GoogleFault.parse(name) for name in fault_kinds.split(",") if name.strip())
            if fault_kinds is not None
            else None
        )
        config = EmulatorConfig(
            latency=latency,
            api_key=api_key,
            fault_rate=fault_rate,
            fault_kinds=kinds,
            seed=seed,
            media_seconds=media_seconds,
            media_size=media_size,
        )
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None

    def banner(port: int) -> list[str]:
        url = base_url(host, port)
        return [
            f"Google Veo emulator: set FRAMECAST_GOOGLE__BASE_URL={url}",
            f"Admin: {url}/_emulator/stats  (Ctrl+C to stop)",
        ]

    _serve(host, port, lambda port: build_server(config, host, port), banner)
