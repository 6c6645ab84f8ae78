"""The faults the Google emulator injects, and the seeded picker that chooses them.

A kind has a *target*: ``create`` kinds happen to the generation POSTs (``:predictLongRunning`` and
Imagen's ``:predict``), ``poll`` kinds to ``GET`` of an operation.

- ``resource_exhausted`` (create) — 429 ``RESOURCE_EXHAUSTED`` with a ``RetryInfo`` of 1 s; nothing
  is created. Quota and rate limits look the same on the wire.
- ``unavailable`` (create) — 503 ``UNAVAILABLE`` ("The model is overloaded"); nothing is created.
- ``operation_error`` (create) — the operation is created and later ends with ``error``.
- ``rai_filtered`` (create) — the operation is created and ends with every video filtered
  (``raiMediaFilteredCount`` / ``raiMediaFilteredReasons``); for Imagen, every image filtered.
- ``drop_poll`` (poll) — the connection is cut in the middle of the answer to a poll.
- ``poll_unavailable`` (poll) — a poll answers 503.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from enum import StrEnum

from framecast.core.errors import InvalidInputError


class FaultTarget(StrEnum):
    CREATE = "create"
    POLL = "poll"


class FaultKind(StrEnum):
    RESOURCE_EXHAUSTED = "resource_exhausted"
    UNAVAILABLE = "unavailable"
    OPERATION_ERROR = "operation_error"
    RAI_FILTERED = "rai_filtered"
    DROP_POLL = "drop_poll"
    POLL_UNAVAILABLE = "poll_unavailable"

    @property
    def target(self) -> FaultTarget:
        return (
            FaultTarget.POLL
            if self in (FaultKind.DROP_POLL, FaultKind.POLL_UNAVAILABLE)
            else FaultTarget.CREATE
        )

    @property
    def creates(self) -> bool:
        """Whether a create request with this fault still creates an operation (and is billed if
        it succeeds — these never do)."""
        return self in (FaultKind.OPERATION_ERROR, FaultKind.RAI_FILTERED)

    @classmethod
    def parse(cls, name: str) -> FaultKind:
        try:
            return cls(name.strip().lower())
        except ValueError:
            known = ", ".join(kind.value for kind in cls)
            raise InvalidInputError(f"unknown fault kind {name!r}; known kinds: {known}") from None


class FaultPicker:
    """Forced faults first (each to the next request of its target), then random ones at ``rate``."""

    def __init__(self, rate: float, seed: int, kinds: tuple[FaultKind, ...] | None) -> None:
        self.rate = rate
        self.seed = seed
        self.kinds = kinds
        self._random = random.Random(seed)
        self.forced: deque[FaultKind] = deque()

    def configure(self, *, rate: float | None = None, seed: int | None = None) -> None:
        if rate is not None:
            self.rate = rate
        if seed is not None:
            self.seed = seed
            self._random = random.Random(seed)

    def restrict(self, kinds: tuple[FaultKind, ...] | None) -> None:
        """Draw random faults only from ``kinds`` (None: from every kind)."""
        self.kinds = kinds

    def force(self, kinds: Iterable[FaultKind]) -> None:
        self.forced.extend(kinds)

    def pick(self, target: FaultTarget) -> FaultKind | None:
        for kind in self.forced:
            if kind.target is target:
                self.forced.remove(kind)
                return kind
        if self.rate <= 0 or self._random.random() >= self.rate:
            return None
        choices = [k for k in (self.kinds or tuple(FaultKind)) if k.target is target]
        return self._random.choice(choices) if choices else None
