"""Test helper, public API: a real Google emulator on a free localhost port, in a background thread.

::

    with running_emulator(EmulatorConfig(latency=0.2)) as emulator:
        settings.google.base_url = emulator.base_url
        emulator.force_faults(["resource_exhausted", "drop_poll"])
        ...
        assert emulator.stats()["operations_created"] == 1
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from framecast.emulators.google_veo.admin import ADMIN_PREFIX
from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.google_veo.faults import FaultKind
from framecast.emulators.google_veo.server import base_url, bind_socket, build_server

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class EmulatorHandle:
    """Where a running emulator listens, and synchronous calls to its admin routes (which raise
    ``httpx.HTTPStatusError`` when the emulator refuses the call)."""

    base_url: str  # http://127.0.0.1:PORT, the SDK's base URL
    admin_url: str
    _http: httpx.Client = field(repr=False, compare=False)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def reset(self, **changes: Any) -> dict[str, Any]:
        return self._call("POST", "/reset", changes)

    def force_faults(self, kinds: Iterable[FaultKind | str]) -> dict[str, Any]:
        """Queue faults, each for the next request of its target (create or poll)."""
        return self._call("POST", "/faults", {"next": [FaultKind(kind).value for kind in kinds]})

    def set_faults(
        self,
        *,
        fault_rate: float | None = None,
        seed: int | None = None,
        kinds: Iterable[FaultKind | str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            k: v for k, v in (("fault_rate", fault_rate), ("seed", seed)) if v is not None
        }
        if kinds is not None:
            body["kinds"] = [FaultKind(kind).value for kind in kinds]
        return self._call("POST", "/faults", body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, self.admin_url + path, json=body)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


@contextmanager
def running_emulator(config: EmulatorConfig | None = None) -> Iterator[EmulatorHandle]:
    """Start the emulator on 127.0.0.1 (a free port), yield its handle, shut it down cleanly.

    Raises ``RuntimeError`` if it does not start within ``STARTUP_TIMEOUT_S``.
    """
    sock = bind_socket(HOST, 0)
    port: int = sock.getsockname()[1]
    server = build_server(config or EmulatorConfig(), HOST, port, configure_logging=False)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"google-emulator-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the Google emulator did not start on {HOST}:{port}")
            time.sleep(0.005)
        root = base_url(HOST, port)
        with httpx.Client(timeout=10.0) as http:
            yield EmulatorHandle(base_url=root, admin_url=root + ADMIN_PREFIX, _http=http)
    finally:
        server.should_exit = True
        thread.join(30.0)
        sock.close()
