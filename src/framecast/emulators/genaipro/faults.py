"""The faults the emulator can inject into a generation request, and the seeded picker that chooses them.

Each kind reproduces a failure clients of the real service have met (see the protocol report, §3.2
and §4.1). A kind is either *accepted* — the request is charged, recorded in history and completes
there while the wire misbehaves — or *refused* before anything is charged. Clients must treat the
first group as ambiguous (reconcile with ``/veo/histories``) and may simply retry the second.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from enum import StrEnum

from framecast.core.errors import InvalidInputError


class FaultKind(StrEnum):
    # accepted: 1-2 status events, then the connection is aborted with no terminal event
    DROP_AFTER_EVENTS = "drop_after_events"
    # refused: 200 text/event-stream with zero events
    EMPTY_STREAM = "empty_stream"
    # refused: 503 text/html maintenance page
    MAINTENANCE_HTML = "maintenance_html"
    # refused: 429 JSON with ``Retry-After: 1``
    RATE_LIMIT_RETRY_AFTER = "rate_limit_retry_after"
    # refused: 429 JSON without ``Retry-After``
    RATE_LIMIT_NO_HEADER = "rate_limit_no_header"
    # refused: 500 JSON
    SERVER_ERROR = "server_error"
    # refused: 200 SSE ``starting`` then ``event:error`` with code 403 (reCAPTCHA)
    RECAPTCHA = "recaptcha"
    # accepted: 200 SSE that sends nothing and stays open until the client leaves
    STALL = "stall"
    # accepted: broken JSON and a line without a colon mid-stream, then a normal completion
    MALFORMED_EVENT = "malformed_event"
    # accepted: completion items lack ``status``
    COMPLETION_WITHOUT_STATUS = "completion_without_status"
    # accepted: completion items lack ``file_url``/``file_urls``; history has the files
    COMPLETION_WITHOUT_FILE_URL = "completion_without_file_url"

    @property
    def accepted(self) -> bool:
        """Whether a request with this fault is charged and recorded in history."""
        return self in _ACCEPTED

    @classmethod
    def parse(cls, value: str) -> FaultKind:
        """The kind named ``value``; raise :class:`InvalidInputError` listing the kinds if unknown."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(kind.value for kind in cls)
            raise InvalidInputError(f"unknown fault kind {value!r}; known: {names}") from None


_ACCEPTED = frozenset(
    {
        FaultKind.DROP_AFTER_EVENTS,
        FaultKind.STALL,
        FaultKind.MALFORMED_EVENT,
        FaultKind.COMPLETION_WITHOUT_STATUS,
        FaultKind.COMPLETION_WITHOUT_FILE_URL,
    }
)


class FaultPicker:
    """Decides the fault (or none) of each generation request.

    Forced faults are served first, in the order given; otherwise a fault is drawn with probability
    ``rate``, its kind uniformly, from ``random.Random(seed)`` so that a run can be replayed.
    """

    def __init__(self, rate: float = 0.0, seed: int = 0) -> None:
        self._rate = rate
        self._seed = seed
        self._rng = random.Random(seed)
        self._forced: deque[FaultKind] = deque()

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def forced(self) -> tuple[FaultKind, ...]:
        """Forced faults not yet served, next first."""
        return tuple(self._forced)

    def configure(self, *, rate: float | None = None, seed: int | None = None) -> None:
        """Change the rate and/or reseed; raise :class:`InvalidInputError` for a rate outside 0..1."""
        if rate is not None:
            if not 0.0 <= rate <= 1.0:
                raise InvalidInputError(f"fault_rate must be between 0 and 1, got {rate}")
            self._rate = rate
        if seed is not None:
            self._seed = seed
            self._rng = random.Random(seed)

    def force(self, kinds: Iterable[FaultKind]) -> None:
        """Queue faults for the next generation requests, after any already queued."""
        self._forced.extend(kinds)

    def clear(self) -> None:
        self._forced.clear()

    def pick(self) -> FaultKind | None:
        """The fault of the next generation request, consuming a forced one if queued."""
        if self._forced:
            return self._forced.popleft()
        # Draw both numbers every time so that the sequence of kinds depends only on the seed.
        roll = self._rng.random()
        kind = self._rng.choice(tuple(FaultKind))
        return kind if roll < self._rate else None
