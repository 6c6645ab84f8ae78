"""Control routes under ``/_emulator``: statistics, reset and run-time faults. No authentication.

- ``GET /_emulator/stats`` — ``{requests, accepted, refused, rejected, completed, in_flight,
  accepted_prompts, faults, quota}``
- ``POST /_emulator/reset`` — clears history, statistics, quota used and forced faults, and goes back
  to the settings the emulator started with; an optional JSON object changes some of them
  (``{"latency": 0.2, "quota": 10}``); answers ``{"config": ...}``
- ``POST /_emulator/faults`` — ``{fault_rate?, seed?, next?: [kind, ...]}``; ``next`` is appended to
  the forced faults, served before any random one
- ``GET /_emulator/faults`` — ``{fault_rate, seed, next, kinds: {kind: accepted}}``
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.faults import FaultKind

if TYPE_CHECKING:
    from framecast.emulators.genaipro.emulator import Emulator

ADMIN_PREFIX = "/_emulator"


def admin_routes(emulator: Emulator) -> list[Route]:
    async def stats(request: Request) -> Response:
        return JSONResponse(emulator.state.stats_json())

    async def reset(request: Request) -> Response:
        try:
            changes = await _json_object(request)
            config = emulator.initial_config.updated(changes)
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        emulator.reset(config)
        return JSONResponse({"config": config.to_json()})

    async def get_faults(request: Request) -> Response:
        return JSONResponse(_faults_json(emulator))

    async def set_faults(request: Request) -> Response:
        try:
            body = await _json_object(request)
            unknown = set(body) - {"fault_rate", "seed", "next"}
            if unknown:
                raise InvalidInputError(f"unknown fields {sorted(unknown)}; use fault_rate, seed, next")
            rate, seed, kinds = _fault_fields(body)
            emulator.faults.configure(rate=rate, seed=seed)
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        emulator.faults.force(kinds)
        emulator.config = dataclasses.replace(
            emulator.config, fault_rate=emulator.faults.rate, seed=emulator.faults.seed
        )
        return JSONResponse(_faults_json(emulator))

    return [
        Route(f"{ADMIN_PREFIX}/stats", stats),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", get_faults, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", set_faults, methods=["POST"]),
    ]


def _faults_json(emulator: Emulator) -> dict[str, Any]:
    return {
        "fault_rate": emulator.faults.rate,
        "seed": emulator.faults.seed,
        "next": [kind.value for kind in emulator.faults.forced],
        "kinds": {kind.value: kind.accepted for kind in FaultKind},
    }


def _fault_fields(body: dict[str, Any]) -> tuple[float | None, int | None, list[FaultKind]]:
    """Check the fields of ``POST /_emulator/faults``; raise :class:`InvalidInputError` if one is wrong."""
    rate = body.get("fault_rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)):
        raise InvalidInputError("fault_rate must be a number between 0 and 1")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidInputError("seed must be a whole number")
    names = body.get("next", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise InvalidInputError("next must be a list of fault kind names")
    return (None if rate is None else float(rate)), seed, [FaultKind.parse(name) for name in names]


async def _json_object(request: Request) -> dict[str, Any]:
    """The JSON object body, ``{}`` when empty; raise :class:`InvalidInputError` otherwise."""
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInputError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise InvalidInputError("the body must be a JSON object")
    return data
