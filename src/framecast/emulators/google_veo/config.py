"""What a Google emulator instance is told to do; shared by the CLI, the test helper and
``POST /_emulator/reset`` (through :meth:`EmulatorConfig.updated`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framecast.core.errors import InvalidInputError
from framecast.emulators.google_veo.faults import FaultKind


@dataclass(frozen=True)
class EmulatorConfig:
    """``api_key=None`` accepts any non-empty key; ``fault_kinds=None`` draws from every kind."""

    latency: float = 2.0  # seconds from creation until an operation is done (minutes: 120 and more)
    api_key: str | None = None
    fault_rate: float = 0.0
    fault_kinds: tuple[FaultKind, ...] | None = None
    seed: int = 0
    media_seconds: float = 2.0
    media_size: int = 360
    media_dir: Path | None = None  # where rendered clips are cached; None: a temporary folder

    def __post_init__(self) -> None:
        if self.fault_kinds is not None:
            chosen = {FaultKind.parse(str(kind)) for kind in self.fault_kinds}
            object.__setattr__(self, "fault_kinds", tuple(k for k in FaultKind if k in chosen))
        if self.latency < 0:
            raise InvalidInputError("latency must be zero or more seconds")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise InvalidInputError("fault_rate must be between 0 and 1")
        if self.media_seconds <= 0 or self.media_size < 16:
            raise InvalidInputError("media_seconds must be positive and media_size at least 16")

    def updated(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with ``changes``; raises :class:`InvalidInputError` naming an unknown field."""
        names = {f.name for f in dataclasses.fields(self)} - {"media_dir"}
        unknown = set(changes) - names
        if unknown:
            raise InvalidInputError(f"unknown settings {sorted(unknown)}; known: {sorted(names)}")
        try:
            return dataclasses.replace(self, **dict(changes))
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "latency": self.latency,
            "api_key": self.api_key,
            "fault_rate": self.fault_rate,
            "fault_kinds": [k.value for k in self.fault_kinds] if self.fault_kinds is not None else None,
            "seed": self.seed,
            "media_seconds": self.media_seconds,
            "media_size": self.media_size,
        }
