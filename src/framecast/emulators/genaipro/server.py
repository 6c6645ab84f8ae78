"""Running the emulator under uvicorn, the same way for the CLI and for the test helper."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from framecast.emulators.genaipro.app import API_PREFIX, create_app, emulator_of
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.emulator import Emulator

# Stalled streams stay open until their client leaves; shutdown waits this long for them at most.
GRACEFUL_SHUTDOWN_S = 2


def build_server(
    config: EmulatorConfig, host: str, port: int, *, configure_logging: bool = True
) -> uvicorn.Server:
    """A uvicorn server for the emulator (h11, no WebSockets, warnings and errors logged).

    ``configure_logging=False`` leaves the process's logging configuration alone (for tests).
    """
    app = create_app(config)
    uvicorn_config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
        ws="none",
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        log_config=LOGGING_CONFIG if configure_logging else None,
    )
    return EmulatorServer(uvicorn_config, emulator_of(app))


class EmulatorServer(uvicorn.Server):
    """A uvicorn server that cuts the emulator's open streams as soon as shutdown begins.

    Without this, a stalled stream would hold shutdown for the whole graceful timeout and then be
    cancelled with an error in the log.
    """

    def __init__(self, config: uvicorn.Config, emulator: Emulator) -> None:
        super().__init__(config)
        self._emulator = emulator

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._emulator.closing.set()
        await super().shutdown(sockets)


def base_url(host: str, port: int) -> str:
    """The URL clients use as GenAIPro's base URL (``…/api/v1``)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{API_PREFIX}"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 picks a free port); the caller reads the port from it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # every keep-alive request waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
