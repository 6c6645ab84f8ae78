"""What every emulator needs to run under uvicorn: a listening socket, one server configuration and
the root URL, the same way for the CLI and for the test helpers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

__all__ = ["bind_socket", "root_url", "serving_in_thread", "uvicorn_config"]


def uvicorn_config(
    app: Any, host: str, port: int, *, graceful_shutdown_s: int, configure_logging: bool = True
) -> uvicorn.Config:
    """h11, no WebSockets, warnings and errors logged; ``configure_logging=False`` leaves the process's
    logging configuration alone (for tests)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
        ws="none",
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=graceful_shutdown_s,
        log_config=LOGGING_CONFIG if configure_logging else None,
    )


def root_url(host: str, port: int) -> str:
    """``http://host:port`` with an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


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


STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 30.0


@contextmanager
def serving_in_thread(
    build: Callable[[int], uvicorn.Server], name: str, host: str = "127.0.0.1"
) -> Iterator[int]:
    """Run the server ``build(port)`` makes on a free port of ``host`` in a daemon thread; yield the
    port once it is serving; stop it on exit (for the test helpers).

    Raises ``RuntimeError`` if it does not start within ``STARTUP_TIMEOUT_S``.
    """
    sock = bind_socket(host, 0)
    port: int = sock.getsockname()[1]
    server = build(port)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"{name}-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {name} did not start on {host}:{port}")
            time.sleep(0.005)
        yield port
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT_S)
        sock.close()
