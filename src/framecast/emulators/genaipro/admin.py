"""Control routes under ``/_emulator``: statistics, reset and run-time faults. No authentication.

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
            unknown = set(body) - {"fault_rate", "seed", "next", "kinds"}
            if unknown:
                raise InvalidInputError(
                    f"unknown fields {sorted(unknown)}; use fault_rate, seed, next, kinds"
                )
            changes, forced = _fault_fields(body)
            config = emulator.config.updated(changes)  # checks every value before anything changes
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        emulator.faults.configure(rate=changes.get("fault_rate"), seed=changes.get("seed"))
        if "fault_kinds" in changes:
            emulator.faults.restrict(config.fault_kinds)
        emulator.faults.force(forced)
        emulator.config = config
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
        "fault_kinds": None if emulator.faults.kinds is None else [k.value for k in emulator.faults.kinds],
        "kinds": {
            kind.value: {
                "accepted": kind.accepted,
                "target": kind.target.value,
                "apis": [api for api in (1, 2) if kind.applies_to(api)],
            }
            for kind in FaultKind
        },
    }


def _fault_fields(body: dict[str, Any]) -> tuple[dict[str, Any], list[FaultKind]]:
    """The setting changes and the forced faults of ``POST /_emulator/faults``.

    Raises :class:`InvalidInputError` if a field has the wrong type or names an unknown kind.
    """
    changes: dict[str, Any] = {}
    rate = body.get("fault_rate")
    if rate is not None:
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise InvalidInputError("fault_rate must be a number between 0 and 1")
        changes["fault_rate"] = float(rate)
    seed = body.get("seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidInputError("seed must be a whole number")
        changes["seed"] = seed
    if "kinds" in body:
        kinds = body["kinds"]
        if kinds is not None and (not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds)):
            raise InvalidInputError("kinds must be a list of fault kind names, or null for every kind")
        changes["fault_kinds"] = kinds
    names = body.get("next", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise InvalidInputError("next must be a list of fault kind names")
    return changes, [FaultKind.parse(name) for name in names]


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
