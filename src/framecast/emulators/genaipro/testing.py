"""Test helper, public API: a real emulator on a free localhost port, in a background thread.

::

    with running_emulator(EmulatorConfig(latency=0.2)) as emulator:
        client = build_http_client(base_url=emulator.base_url)
        emulator.force_faults(["drop_after_events", "get_server_error"])
        ...
        assert emulator.stats()["accepted"] == 1

Real sockets, so streaming, dropped connections and stalls behave as they do in production.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from framecast.emulators.genaipro.admin import ADMIN_PREFIX
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.server import base_url, build_server
from framecast.emulators.serving import serving_in_thread

HOST = "127.0.0.1"


@dataclass(frozen=True)
class EmulatorHandle:
    """Where a running emulator listens, and synchronous calls to its admin routes.

    The helpers raise ``httpx.HTTPStatusError`` when the emulator refuses the call (for instance an
    unknown fault kind or setting).
    """

    root_url: str  # http://127.0.0.1:PORT
    base_url: str  # http://127.0.0.1:PORT/api/v1, GenAIPro's base URL
    admin_url: str  # http://127.0.0.1:PORT/_emulator
    _http: httpx.Client = field(repr=False, compare=False)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def reset(self, **changes: Any) -> dict[str, Any]:
        """Start over with the config the emulator was started with, ``changes`` applied on top."""
        return self._call("POST", "/reset", changes)

    def force_faults(self, kinds: Iterable[FaultKind | str]) -> dict[str, Any]:
        """Queue faults, in order, after any already queued.

        Each request takes the first queued kind of its target (generation kinds for the generation
        POSTs, read kinds for the GETs of ``/veo/me``, ``/veo/credits``, ``/veo/histories``); the
        others stay queued, in order.
        """
        return self._call("POST", "/faults", {"next": [FaultKind(kind).value for kind in kinds]})

    def set_faults(
        self,
        *,
        fault_rate: float | None = None,
        seed: int | None = None,
        kinds: Iterable[FaultKind | str] | None = None,
        every_kind: bool = False,
    ) -> dict[str, Any]:
        """Change the random faults: their rate, their seed, the kinds they are drawn from.

        ``kinds`` restricts random faults to those kinds; ``every_kind=True`` lifts the restriction.
        Arguments left out keep their current value. Raises ``ValueError`` for both at once.
        """
        if kinds is not None and every_kind:
            raise ValueError("give kinds or every_kind=True, not both")
        body: dict[str, Any] = {
            key: value for key, value in (("fault_rate", fault_rate), ("seed", seed)) if value is not None
        }
        if kinds is not None:
            body["kinds"] = [FaultKind(kind).value for kind in kinds]
        elif every_kind:
            body["kinds"] = None
        return self._call("POST", "/faults", body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, self.admin_url + path, json=body)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


@contextmanager
def running_emulator(config: EmulatorConfig | None = None) -> Iterator[EmulatorHandle]:
    """Start the emulator on 127.0.0.1 (a free port), yield its handle, shut it down cleanly.

    Raises ``RuntimeError`` if the server does not start within 30 s.
    """
    build = partial(build_server, config or EmulatorConfig(), HOST, configure_logging=False)
    with serving_in_thread(build, "GenAIPro emulator", HOST) as port, httpx.Client(timeout=10.0) as http:
        root = f"http://{HOST}:{port}"
        yield EmulatorHandle(
            root_url=root, base_url=base_url(HOST, port), admin_url=root + ADMIN_PREFIX, _http=http
        )
