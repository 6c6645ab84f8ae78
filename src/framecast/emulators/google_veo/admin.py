"""Control routes under ``/_emulator``, as the GenAIPro emulator's. No authentication.

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

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from framecast.core.errors import InvalidInputError
from framecast.emulators.google_veo.faults import FaultKind

if TYPE_CHECKING:
    from framecast.emulators.google_veo.app import GoogleEmulator

ADMIN_PREFIX = "/_emulator"


def admin_routes(emulator: GoogleEmulator) -> list[Route]:
    async def stats(request: Request) -> Response:
        return JSONResponse(emulator.state.stats_json())

    async def reset(request: Request) -> Response:
        try:
            config = emulator.initial_config.updated(await _json_object(request))
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        emulator.reset(config)
        return JSONResponse({"config": config.to_json()})

    async def get_faults(request: Request) -> Response:
        return JSONResponse(_faults_json(emulator))

    async def set_faults(request: Request) -> Response:
        try:
            body = await _json_object(request)
            unknown = set(body) - {"fault_rate", "seed", "next", "kinds"}
            if unknown:
                raise InvalidInputError(
                    f"unknown fields {sorted(unknown)}; use fault_rate, seed, next, kinds"
                )
            forced = [FaultKind.parse(str(k)) for k in body.get("next") or []]
            changes: dict[str, Any] = {k: body[k] for k in ("fault_rate", "seed") if k in body}
            if "kinds" in body:
                kinds = body["kinds"]
                changes["fault_kinds"] = (
                    None if kinds is None else tuple(FaultKind.parse(str(k)) for k in kinds)
                )
            config = emulator.config.updated(changes)
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        emulator.faults.configure(rate=changes.get("fault_rate"), seed=changes.get("seed"))
        if "fault_kinds" in changes:
            emulator.faults.kinds = config.fault_kinds
        emulator.faults.force(forced)
        emulator.config = config
        return JSONResponse(_faults_json(emulator))

    return [
        Route(f"{ADMIN_PREFIX}/stats", stats),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", get_faults, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", set_faults, methods=["POST"]),
    ]


def _faults_json(emulator: GoogleEmulator) -> dict[str, Any]:
    picker = emulator.faults
    return {
        "fault_rate": picker.rate,
        "seed": picker.seed,
        "next": [kind.value for kind in picker.forced],
        "fault_kinds": [k.value for k in picker.kinds] if picker.kinds is not None else None,
        "kinds": {kind.value: {"target": kind.target.value, "creates": kind.creates} for kind in FaultKind},
    }


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise InvalidInputError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidInputError("the body must be a JSON object")
    return body
