"""The Google emulator's control routes (:mod:`framecast.emulators.admin`): what they show and change.

- ``GET /_emulator/stats`` — ``{requests, operations_created, images_created, refused, polls,
  downloads, completed, failed, running, faults, prompts}``: ``requests`` counts the generation
  POSTs, ``operations_created`` the Veo operations made (a refused request makes none), ``faults``
  every fault served by kind
- ``POST /_emulator/reset`` — forgets operations, files, statistics and forced faults and goes back
  to the starting settings, with an optional JSON object of changes (``{"latency": 0.2}``)
- ``POST /_emulator/faults`` — ``{fault_rate?, seed?, next?: [kind, ...], kinds?: [kind, ...] | null}``;
  ``next`` queues faults, each served to the next request of its target; ``kinds`` restricts the
  random ones. ``GET /_emulator/faults`` shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from framecast.emulators import admin
from framecast.emulators.admin import ADMIN_PREFIX
from framecast.emulators.google_veo.faults import FaultKind

if TYPE_CHECKING:
    from framecast.emulators.google_veo.app import GoogleEmulator

__all__ = ["ADMIN_PREFIX", "admin_routes"]


def admin_routes(emulator: GoogleEmulator) -> list[Route]:
    return admin.admin_routes(admin.ConfigAdmin(emulator, FaultKind.parse, _kinds_json))


def _kinds_json() -> dict[str, Any]:
    return {kind.value: {"target": kind.target.value, "creates": kind.creates} for kind in FaultKind}
