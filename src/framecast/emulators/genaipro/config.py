"""What an emulator instance is told to do: latency, limits, quota, keys, faults, media size.

One frozen dataclass, shared by the CLI (``framecast emulator genaipro``), the test helper
(:func:`framecast.emulators.genaipro.testing.running_emulator`) and ``POST /_emulator/reset``, which
may change any field at run time through :meth:`EmulatorConfig.updated`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.faults import FaultKind


@dataclass(frozen=True)
class EmulatorConfig:
    """Behaviour of one emulated GenAIPro account.

    Zero for ``concurrency`` and ``rate_per_minute`` and ``None`` for ``quota`` mean unlimited;
    ``api_key=None`` accepts any non-empty bearer token. ``fault_kinds`` may be given as kind names;
    it is stored as :class:`FaultKind` members, each once, in the order given.
    """

    latency: float = 3.0  # seconds from acceptance to completion
    concurrency: int = 0  # generations in flight at once; 0 = unlimited
    rate_per_minute: int = 0  # generation requests per sliding 60 s; 0 = unlimited
    quota: int | None = None  # total credits; None = unlimited
    api_key: str | None = None
    # Probability that a request gets a random fault: a generation request one of the generation
    # kinds, a GET of /veo/me, /veo/credits or /veo/histories one of the read kinds.
    fault_rate: float = 0.0
    # The kinds random faults are drawn from; None = every kind. Forced faults are not restricted.
    fault_kinds: tuple[FaultKind, ...] | None = None
    seed: int = 0  # seeds fault picking and the harmless wire variations
    media_seconds: float = 2.0  # length of the served clips
    media_size: int = 360  # short side in pixels of the served clips and images
    # False: every stream uses the one canonical observed form (no space after the colon, bare status
    # words, no percentages, ``Z`` timestamps) so that tests can compare bytes. The success word is
    # never a variation: it follows the endpoint (see wire.success_word).
    wire_variants: bool = True
    # Where rendered clips are cached; None = a temporary folder removed at shutdown. Emulators that
    # share a folder render each clip once between them.
    media_dir: Path | None = None
    stall_limit: float = 3600.0  # the longest a stalled stream stays open, in seconds
    # True: /files/* answers 401 unless it carries a bearer token the API would accept.
    files_need_auth: bool = False
    # v2 (task API): requests of any kind per sliding 60 s (the service documents 30); 0 = unlimited.
    v2_rate_per_minute: int = 0
    # v2: the seconds that window slides over (60, as documented; tests shorten it to stay fast).
    v2_window_s: float = 60.0
    # v2: how many times the latency a ``slow_task`` fault's task takes.
    slow_task_factor: float = 5.0

    def __post_init__(self) -> None:
        if isinstance(self.fault_kinds, str):
            raise InvalidInputError("fault_kinds must be a list of fault kind names, not one string")
        if self.fault_kinds is not None:
            chosen = {FaultKind.parse(str(kind)) for kind in self.fault_kinds}
            kinds = tuple(kind for kind in FaultKind if kind in chosen)
            object.__setattr__(self, "fault_kinds", kinds)  # frozen: normalised once, here
        self.validate()

    def validate(self) -> None:
        """Raise :class:`InvalidInputError` naming the first field out of range."""
        if not math.isfinite(self.latency) or self.latency < 0:
            raise InvalidInputError(f"latency must be a number of seconds >= 0, got {self.latency}")
        if self.concurrency < 0:
            raise InvalidInputError(f"concurrency must be >= 0 (0 = unlimited), got {self.concurrency}")
        if self.rate_per_minute < 0:
            raise InvalidInputError(
                f"rate_per_minute must be >= 0 (0 = unlimited), got {self.rate_per_minute}"
            )
        if self.quota is not None and self.quota < 0:
            raise InvalidInputError(f"quota must be >= 0 or unset for unlimited, got {self.quota}")
        if self.api_key is not None and not self.api_key.strip():
            raise InvalidInputError("api_key must not be blank; leave it unset to accept any token")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise InvalidInputError(f"fault_rate must be between 0 and 1, got {self.fault_rate}")
        if self.fault_kinds is not None and not self.fault_kinds:
            raise InvalidInputError("fault_kinds must name at least one kind; leave it unset for every kind")
        if not math.isfinite(self.media_seconds) or self.media_seconds <= 0:
            raise InvalidInputError(f"media_seconds must be > 0, got {self.media_seconds}")
        if self.media_size < 16:
            raise InvalidInputError(f"media_size must be at least 16 pixels, got {self.media_size}")
        if self.v2_rate_per_minute < 0:
            raise InvalidInputError(
                f"v2_rate_per_minute must be >= 0 (0 = unlimited), got {self.v2_rate_per_minute}"
            )
        if not math.isfinite(self.v2_window_s) or self.v2_window_s <= 0:
            raise InvalidInputError(f"v2_window_s must be > 0 seconds, got {self.v2_window_s}")
        if not math.isfinite(self.slow_task_factor) or self.slow_task_factor < 1:
            raise InvalidInputError(f"slow_task_factor must be >= 1, got {self.slow_task_factor}")
        if not math.isfinite(self.stall_limit) or self.stall_limit < 0:
            raise InvalidInputError(f"stall_limit must be >= 0 seconds, got {self.stall_limit}")

    def updated(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with ``changes`` (JSON values by field name) applied.

        Raises :class:`InvalidInputError` for an unknown field, a value of the wrong type or a value
        out of range.
        """
        known = {f.name: f for f in dataclasses.fields(self)}
        converted: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise InvalidInputError(
                    f"unknown emulator setting {name!r}; known: {', '.join(sorted(known))}"
                )
            converted[name] = _convert(name, value)
        return dataclasses.replace(self, **converted)

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON values (the API key is shown only as set or not)."""
        data = dataclasses.asdict(self)
        data["api_key"] = None if self.api_key is None else "(set)"
        data["media_dir"] = None if self.media_dir is None else str(self.media_dir)
        data["fault_kinds"] = None if self.fault_kinds is None else [kind.value for kind in self.fault_kinds]
        return data


_FLOATS = {"latency", "fault_rate", "media_seconds", "stall_limit", "slow_task_factor", "v2_window_s"}
_INTS = {"concurrency", "rate_per_minute", "seed", "media_size", "v2_rate_per_minute"}
_OPTIONAL_INTS = {"quota"}
_OPTIONAL_STRS = {"api_key"}
_BOOLS = {"wire_variants", "files_need_auth"}


def _convert(name: str, value: Any) -> Any:
    """Check one JSON value against the field's type; raise :class:`InvalidInputError` if it does not fit."""
    if name in _FLOATS and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if name in _INTS and isinstance(value, int) and not isinstance(value, bool):
        return value
    if name in _OPTIONAL_INTS and (value is None or (isinstance(value, int) and not isinstance(value, bool))):
        return value
    if name in _OPTIONAL_STRS and (value is None or isinstance(value, str)):
        return value
    if name in _BOOLS and isinstance(value, bool):
        return value
    if name == "fault_kinds" and value is None:
        return None
    if name == "fault_kinds" and isinstance(value, list) and all(isinstance(kind, str) for kind in value):
        return tuple(FaultKind.parse(kind) for kind in value)
    if name == "media_dir" and (value is None or isinstance(value, str)):
        return None if value is None else Path(value)
    raise InvalidInputError(f"emulator setting {name!r} cannot be {value!r}")
