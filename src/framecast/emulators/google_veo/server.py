"""Running the Google emulator under uvicorn, the same way for the CLI and the test helper."""

from __future__ import annotations

import uvicorn

from framecast.emulators.google_veo.app import create_app
from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.serving import bind_socket, root_url, uvicorn_config

__all__ = ["base_url", "bind_socket", "build_server"]


def build_server(
    config: EmulatorConfig, host: str, port: int, *, configure_logging: bool = True
) -> uvicorn.Server:
    """A uvicorn server for the emulator; ``configure_logging=False`` leaves logging alone (tests)."""
    served = uvicorn_config(
        create_app(config), host, port, graceful_shutdown_s=2, configure_logging=configure_logging
    )
    return uvicorn.Server(served)


def base_url(host: str, port: int) -> str:
    """What ``FRAMECAST_GOOGLE__BASE_URL`` is set to: the root; the SDK adds ``/v1beta``."""
    return root_url(host, port)
