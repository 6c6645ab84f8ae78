"""Running the Google emulator under uvicorn, the same way for the CLI and the test helper."""

from __future__ import annotations

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from framecast.emulators.genaipro.server import bind_socket
from framecast.emulators.google_veo.app import create_app
from framecast.emulators.google_veo.config import EmulatorConfig

__all__ = ["base_url", "bind_socket", "build_server"]


def build_server(
    config: EmulatorConfig, host: str, port: int, *, configure_logging: bool = True
) -> uvicorn.Server:
    """A uvicorn server for the emulator; ``configure_logging=False`` leaves logging alone (tests)."""
    return uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            host=host,
            port=port,
            http="h11",
            ws="none",
            lifespan="on",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            log_config=LOGGING_CONFIG if configure_logging else None,
        )
    )


def base_url(host: str, port: int) -> str:
    """What ``FRAMECAST_GOOGLE__BASE_URL`` is set to: the root; the SDK adds ``/v1beta``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
