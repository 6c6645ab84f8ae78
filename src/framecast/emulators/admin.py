"""The control routes every emulator serves under ``/_emulator`` (no authentication): statistics,
reset and run-time faults. Each emulator's own ``admin`` module says what its statistics and fault
kinds are and adapts its state to :class:`Administered`.

- ``GET /_emulator/stats`` — the emulator's counters
- ``POST /_emulator/reset`` — back to the starting settings, with an optional JSON object of changes;
  answers ``{"config": ...}``
- ``POST /_emulator/faults`` — ``{fault_rate?, seed?, next?: [kind, ...], kinds?: [kind, ...] | null}``;
  ``next`` is appended to the queue of forced faults, each served to the next request of its target
  before any random one; ``kinds`` restricts the random faults (``null``: every kind)
- ``GET /_emulator/faults`` — the fault settings and the kinds the emulator knows
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from framecast.core.errors import InvalidInputError

__all__ = ["ADMIN_PREFIX", "Administered", "ConfigAdmin", "FaultChanges", "admin_routes"]

ADMIN_PREFIX = "/_emulator"
_FAULT_FIELDS = {"fault_rate", "seed", "next", "kinds"}


@dataclass(frozen=True)
class FaultChanges:
    """A checked ``POST /_emulator/faults`` body; kind names are still names (the emulator parses)."""

    rate: float | None
    seed: int | None
    restrict: bool  # whether ``kinds`` was given (``kinds=None`` then means every kind)
    kinds: tuple[str, ...] | None
    forced: tuple[str, ...]


class Administered(Protocol):
    """What an emulator offers its control routes. Methods raise :class:`InvalidInputError` for a
    bad value, before changing anything."""

    def stats_json(self) -> dict[str, Any]: ...

    def reset(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Start over with the starting settings and ``changes``; the new settings as JSON."""
        ...

    def faults_json(self) -> dict[str, Any]: ...

    def change_faults(self, changes: FaultChanges) -> None: ...


class _Kind(Protocol):
    @property
    def value(self) -> str: ...


class _Faults(Protocol):
    @property
    def rate(self) -> float: ...
    @property
    def seed(self) -> int: ...
    @property
    def forced(self) -> Iterable[_Kind]: ...
    @property
    def kinds(self) -> Iterable[_Kind] | None: ...
    def configure(self, *, rate: float | None = None, seed: int | None = None) -> None: ...
    def restrict(self, kinds: Any) -> None: ...
    def force(self, kinds: Any) -> None: ...


class _Emulator(Protocol):
    """An emulator with settings, fault picker and counters as both emulators keep them."""

    initial_config: Any
    config: Any
    faults: Any
    state: Any

    def reset(self, config: Any) -> None: ...


class ConfigAdmin:
    """:class:`Administered` for an emulator whose settings are a frozen config with ``updated``
    (JSON changes, kind names included) and ``to_json``, whose fault picker can ``configure``,
    ``restrict`` and ``force``, and whose state has ``stats_json``; ``parse_kind`` turns a kind name
    into its kind (raising :class:`InvalidInputError` listing the known ones) and ``kinds_json`` describes
    every kind for ``GET /_emulator/faults``."""

    def __init__(
        self, emulator: _Emulator, parse_kind: Callable[[str], Any], kinds_json: Callable[[], dict[str, Any]]
    ) -> None:
        self._emulator = emulator
        self._parse_kind = parse_kind
        self._kinds_json = kinds_json

    def stats_json(self) -> dict[str, Any]:
        stats: dict[str, Any] = self._emulator.state.stats_json()
        return stats

    def reset(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        config = self._emulator.initial_config.updated(changes)
        self._emulator.reset(config)
        shown: dict[str, Any] = config.to_json()
        return shown

    def change_faults(self, changes: FaultChanges) -> None:
        emulator = self._emulator
        fields: dict[str, Any] = {
            name: value
            for name, value in (("fault_rate", changes.rate), ("seed", changes.seed))
            if value is not None
        }
        if changes.restrict:
            fields["fault_kinds"] = None if changes.kinds is None else list(changes.kinds)
        forced = [self._parse_kind(name) for name in changes.forced]
        config = emulator.config.updated(fields)  # checks every value before anything changes
        faults: _Faults = emulator.faults
        faults.configure(rate=changes.rate, seed=changes.seed)
        if changes.restrict:
            faults.restrict(config.fault_kinds)
        faults.force(forced)
        emulator.config = config

    def faults_json(self) -> dict[str, Any]:
        faults: _Faults = self._emulator.faults
        return {
            "fault_rate": faults.rate,
            "seed": faults.seed,
            "next": [kind.value for kind in faults.forced],
            "fault_kinds": None if faults.kinds is None else [kind.value for kind in faults.kinds],
            "kinds": self._kinds_json(),
        }


def admin_routes(emulator: Administered) -> list[Route]:
    async def stats(request: Request) -> Response:
        return JSONResponse(emulator.stats_json())

    async def reset(request: Request) -> Response:
        try:
            config = emulator.reset(await _json_object(request))
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"config": config})

    async def get_faults(request: Request) -> Response:
        return JSONResponse(emulator.faults_json())

    async def set_faults(request: Request) -> Response:
        try:
            emulator.change_faults(_fault_changes(await _json_object(request)))
        except InvalidInputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(emulator.faults_json())

    return [
        Route(f"{ADMIN_PREFIX}/stats", stats),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", get_faults, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", set_faults, methods=["POST"]),
    ]


def _fault_changes(body: dict[str, Any]) -> FaultChanges:
    """Raises :class:`InvalidInputError` for an unknown field or a value of the wrong type."""
    unknown = set(body) - _FAULT_FIELDS
    if unknown:
        raise InvalidInputError(f"unknown fields {sorted(unknown)}; use fault_rate, seed, next, kinds")
    rate = body.get("fault_rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)):
        raise InvalidInputError("fault_rate must be a number between 0 and 1")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidInputError("seed must be a whole number")
    kinds = body.get("kinds")
    if kinds is not None and not _names(kinds):
        raise InvalidInputError("kinds must be a list of fault kind names, or null for every kind")
    forced = body.get("next") or []
    if not _names(forced):
        raise InvalidInputError("next must be a list of fault kind names")
    return FaultChanges(
        rate=None if rate is None else float(rate),
        seed=seed,
        restrict="kinds" in body,
        kinds=None if kinds is None else tuple(kinds),
        forced=tuple(forced),
    )


def _names(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


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
