"""Test helper, public API: a real Google emulator on a free localhost port, in a background thread.

::

    with running_emulator(EmulatorConfig(latency=0.2)) as emulator:
        settings.google.base_url = emulator.base_url
        emulator.force_faults(["resource_exhausted", "drop_poll"])
        ...
        assert emulator.stats()["operations_created"] == 1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from framecast.emulators.google_veo.admin import ADMIN_PREFIX
from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.google_veo.faults import FaultKind
from framecast.emulators.google_veo.server import base_url, build_server
from framecast.emulators.serving import serving_in_thread

HOST = "127.0.0.1"


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

    Raises ``RuntimeError`` if it does not start within 30 s.
    """
    build = partial(build_server, config or EmulatorConfig(), HOST, configure_logging=False)
    with serving_in_thread(build, "Google emulator", HOST) as port, httpx.Client(timeout=10.0) as http:
        root = base_url(HOST, port)
        yield EmulatorHandle(base_url=root, admin_url=root + ADMIN_PREFIX, _http=http)
