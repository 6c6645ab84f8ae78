"""The GenAIPro emulator's control routes (:mod:`framecast.emulators.admin`): what they show and change.

- ``GET /_emulator/stats`` — ``{requests, accepted, refused, refused_by, rejected, completed, failed,
  in_flight, max_in_flight, accepted_prompts, faults, read_faults, quota}``; ``requests`` counts
  generation requests only, ``refused_by`` splits ``refused`` by cause (``{concurrency, rate, quota,
  fault}``: the concurrency limit's 429, the rate window's 429, the 402 for too few credits, a
  refusing generation fault), ``max_in_flight`` is the most generations in flight at once since the
  start or the last reset, ``failed`` the accepted generations that ended failed, ``faults`` every
  fault served by kind (generation and read alike), ``read_faults`` the GETs answered with a fault;
  for v2, ``v2_requests`` (every ``/api/v2`` request), ``v2_polls`` (the GETs of tasks and
  histories among them), ``v2_rate_limited`` (those the v2 window answered 429), ``refunded``
  (failed tasks whose credits were given back), ``callbacks_sent`` / ``callbacks_failed``
- ``POST /_emulator/reset`` — clears history, statistics, quota used and forced faults, and goes back
  to the settings the emulator started with; an optional JSON object changes some of them
  (``{"latency": 0.2, "quota": 10, "fault_kinds": ["stall"], "files_need_auth": true}``); answers
  ``{"config": ...}``
- ``POST /_emulator/faults`` — ``{fault_rate?, seed?, next?: [kind, ...], kinds?: [kind, ...] | null}``;
  ``next`` is appended to the one queue of forced faults, each served to the next request of its
  target before any random one; ``kinds`` restricts the random faults to those kinds (``null``:
  every kind) and does not restrict forced ones
- ``GET /_emulator/faults`` — ``{fault_rate, seed, next, fault_kinds, kinds}``: ``fault_kinds`` is the
  current restriction (``null``: every kind), ``kinds`` maps every kind to ``{accepted, target}``
  (target ``generation`` or ``read``) and ``apis``, the API versions it can happen on (``[1, 2]``,
  or one of them)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from framecast.emulators import admin
from framecast.emulators.admin import ADMIN_PREFIX
from framecast.emulators.genaipro.faults import FaultKind

if TYPE_CHECKING:
    from framecast.emulators.genaipro.emulator import Emulator

__all__ = ["ADMIN_PREFIX", "admin_routes"]


def admin_routes(emulator: Emulator) -> list[Route]:
    return admin.admin_routes(admin.ConfigAdmin(emulator, FaultKind.parse, _kinds_json))


def _kinds_json() -> dict[str, Any]:
    return {
        kind.value: {
            "accepted": kind.accepted,
            "target": kind.target.value,
            "apis": [api for api in (1, 2) if kind.applies_to(api)],
        }
        for kind in FaultKind
    }
