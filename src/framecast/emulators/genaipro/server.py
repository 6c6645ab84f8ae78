"""Running the emulator under uvicorn, the same way for the CLI and for the test helper."""

from __future__ import annotations

import socket

import uvicorn

from framecast.emulators.genaipro.app import API_PREFIX, create_app, emulator_of
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.emulator import Emulator
from framecast.emulators.serving import bind_socket, root_url, uvicorn_config

__all__ = ["EmulatorServer", "base_url", "bind_socket", "build_server"]

# Stalled streams stay open until their client leaves; shutdown waits this long for them at most.
GRACEFUL_SHUTDOWN_S = 2


def build_server(
    config: EmulatorConfig, host: str, port: int, *, configure_logging: bool = True
) -> uvicorn.Server:
    """A uvicorn server for the emulator; ``configure_logging=False`` leaves logging alone (tests)."""
    app = create_app(config)
    served = uvicorn_config(
        app, host, port, graceful_shutdown_s=GRACEFUL_SHUTDOWN_S, configure_logging=configure_logging
    )
    return EmulatorServer(served, emulator_of(app))


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
    return f"{root_url(host, port)}{API_PREFIX}"
