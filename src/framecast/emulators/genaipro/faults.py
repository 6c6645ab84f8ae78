"""The faults the emulator can inject, and the seeded picker that chooses them.

Each kind reproduces a failure clients of the real service have met (see the protocol report, §3.2
and §4.1). A kind has a *target*, the requests it can happen to:

- ``generation`` kinds happen to the four generation POSTs. Each is either *accepted* — the request
  is charged and recorded in history while the wire misbehaves, or the generation later fails there
  — or *refused* before anything is charged. Clients must treat the accepted ones as ambiguous
  (reconcile with ``/veo/histories``) or, when the stream reports the failure, as failed and charged;
  they may simply retry the refused ones.
- ``read`` kinds happen to ``GET /veo/me``, ``GET /veo/credits`` and ``GET /veo/histories``. They
  never charge anything; a client retries them after a pause.

A generation kind never applies to a GET, nor a read kind to a generation request.

The v2 task API (``/api/v2``, see :mod:`framecast.emulators.genaipro.v2`) answers a generation POST
with 202 and a task id, so the kinds that misshape an event stream (``stall``, ``malformed_event``,
``completion_without_*``) are v1-only, and ``slow_task`` and ``get_dropped`` are v2-only. Each API
draws only among its own kinds (``pick(target, api=...)``), so adding the v2 kinds left the seeded
sequence of v1 faults as it was. In v2, ``drop_after_events`` accepts the task and cuts the
connection in the middle of the 202 (the client never learns the id), ``empty_stream`` is a 500 with
an empty body (refused), ``recaptcha`` a 403 JSON refusal, and the failing kinds fail the task and
refund its credits.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from framecast.core.errors import InvalidInputError


class FaultTarget(StrEnum):
    GENERATION = "generation"  # the generation POSTs (text/frames/ingredients-to-video, create-image)
    READ = "read"  # GET /veo/me, /veo/credits and /veo/histories


@dataclass(frozen=True)
class GenerationFailure:
    """How an accepted generation fails: the ``event:error`` data and the history row's ``error``."""

    code: int
    error: str

    @property
    def body(self) -> dict[str, Any]:
        """The error event's data, in the order the real service writes it."""
        return {"code": self.code, "error": self.error}


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
    # accepted: status events for half the latency, then ``event:error`` {"code":500,"error":"Create
    # video error"}; the history rows fail with that error and no file is ever served
    GENERATION_FAILED = "generation_failed"
    # accepted: as generation_failed, with {"code":400,"error":"UNSAFE_GENERATION"}
    UNSAFE_GENERATION = "unsafe_generation"
    # accepted: as generation_failed, with {"code":400,"error":"AUDIO_FILTERED"}
    AUDIO_FILTERED = "audio_filtered"
    # read: 500 JSON {"error":"Internal server error","code":500}
    GET_SERVER_ERROR = "get_server_error"
    # read: 429 JSON {"error":"Too many requests","code":429} with ``Retry-After: 1``
    GET_RATE_LIMIT = "get_rate_limit"
    # read: 503 text/html maintenance page
    GET_MAINTENANCE_HTML = "get_maintenance_html"
    # v2 only, accepted: the task takes ``slow_task_factor`` times the latency to finish
    SLOW_TASK = "slow_task"
    # v2 only, read: the GET's connection is cut before a complete answer (a dropped poll)
    GET_DROPPED = "get_dropped"

    @property
    def accepted(self) -> bool:
        """Whether a request with this fault is charged and recorded in history (never a read kind)."""
        return self in _ACCEPTED

    @property
    def target(self) -> FaultTarget:
        """The requests this kind can happen to: generation POSTs or the three GETs."""
        return FaultTarget.READ if self in _READ else FaultTarget.GENERATION

    def applies_to(self, api: int) -> bool:
        """Whether this kind can happen on GenAIPro API version ``api`` (1 or 2)."""
        return self not in (_V2_ONLY if api == 1 else _V1_ONLY)

    @property
    def failure(self) -> GenerationFailure | None:
        """How the accepted generation fails in the end, for the kinds that make it fail; else None."""
        return _FAILURES.get(self)

    @classmethod
    def parse(cls, value: str) -> FaultKind:
        """The kind named ``value``; raise :class:`InvalidInputError` listing the kinds if unknown."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(kind.value for kind in cls)
            raise InvalidInputError(f"unknown fault kind {value!r}; known: {names}") from None


_FAILURES = {
    FaultKind.GENERATION_FAILED: GenerationFailure(500, "Create video error"),
    FaultKind.UNSAFE_GENERATION: GenerationFailure(400, "UNSAFE_GENERATION"),
    FaultKind.AUDIO_FILTERED: GenerationFailure(400, "AUDIO_FILTERED"),
}
_ACCEPTED = frozenset(
    {
        FaultKind.DROP_AFTER_EVENTS,
        FaultKind.STALL,
        FaultKind.MALFORMED_EVENT,
        FaultKind.COMPLETION_WITHOUT_STATUS,
        FaultKind.COMPLETION_WITHOUT_FILE_URL,
        FaultKind.SLOW_TASK,
        *_FAILURES,
    }
)
_READ = frozenset(
    {
        FaultKind.GET_SERVER_ERROR,
        FaultKind.GET_RATE_LIMIT,
        FaultKind.GET_MAINTENANCE_HTML,
        FaultKind.GET_DROPPED,
    }
)
_V2_ONLY = frozenset({FaultKind.SLOW_TASK, FaultKind.GET_DROPPED})
_V1_ONLY = frozenset(
    {
        FaultKind.STALL,
        FaultKind.MALFORMED_EVENT,
        FaultKind.COMPLETION_WITHOUT_STATUS,
        FaultKind.COMPLETION_WITHOUT_FILE_URL,
    }
)


class FaultPicker:
    """Decides the fault (or none) of each generation request and each read (GET) request.

    Forced faults form one queue in the order given: each request takes the first queued kind of its
    target and leaves the others queued, in order. Otherwise a fault is drawn with probability
    ``rate``, its kind uniformly among the allowed kinds of the request's target (``kinds``; None =
    every kind). Generation requests draw from ``random.Random(seed)`` and reads from their own
    ``random.Random(f"read-{seed}")``, so the sequence of generation faults depends only on the seed,
    the allowed kinds and the number of generation requests, however many reads come in between.
    """

    def __init__(self, rate: float = 0.0, seed: int = 0, kinds: Iterable[FaultKind] | None = None) -> None:
        self._rate = rate
        self._forced: deque[FaultKind] = deque()
        self._kinds: tuple[FaultKind, ...] | None = None
        self._seed = seed
        self._rngs: dict[FaultTarget, random.Random] = {}
        self.configure(rate=rate, seed=seed)
        self.restrict(kinds)

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def kinds(self) -> tuple[FaultKind, ...] | None:
        """The kinds random faults are drawn from, in declaration order; None = every kind."""
        return self._kinds

    @property
    def forced(self) -> tuple[FaultKind, ...]:
        """Forced faults not yet served, in queue order."""
        return tuple(self._forced)

    def configure(self, *, rate: float | None = None, seed: int | None = None) -> None:
        """Change the rate and/or reseed; raise :class:`InvalidInputError` for a rate outside 0..1."""
        if rate is not None:
            if not 0.0 <= rate <= 1.0:
                raise InvalidInputError(f"fault_rate must be between 0 and 1, got {rate}")
            self._rate = rate
        if seed is not None:
            self._seed = seed
            self._rngs = {
                FaultTarget.GENERATION: random.Random(seed),
                FaultTarget.READ: random.Random(f"read-{seed}"),
            }

    def restrict(self, kinds: Iterable[FaultKind] | None) -> None:
        """Draw random faults only from ``kinds`` (None: from every kind). Forced faults are not affected.

        Raises :class:`InvalidInputError` for an empty set of kinds.
        """
        if kinds is None:
            self._kinds = None
            return
        chosen = set(kinds)
        if not chosen:
            raise InvalidInputError("fault_kinds must name at least one kind; leave it unset for every kind")
        self._kinds = tuple(kind for kind in FaultKind if kind in chosen)

    def force(self, kinds: Iterable[FaultKind]) -> None:
        """Queue faults for the next requests of their targets, after any already queued."""
        self._forced.extend(kinds)

    def clear(self) -> None:
        self._forced.clear()

    def pick(self, target: FaultTarget, *, api: int = 1) -> FaultKind | None:
        """The fault of the next ``target`` request on API version ``api``, consuming the first
        forced one that fits if any."""
        for kind in self._forced:
            if kind.target is target and kind.applies_to(api):
                self._forced.remove(kind)  # the first equal one, which is this one
                return kind
        allowed = self._kinds if self._kinds is not None else tuple(FaultKind)
        choices = tuple(kind for kind in allowed if kind.target is target and kind.applies_to(api))
        rng = self._rngs[target]
        # Draw both numbers every time so that the sequence of kinds depends only on the seed.
        roll = rng.random()
        if not choices:
            rng.random()  # in place of the kind, so that the draws stay in step
            return None
        kind = rng.choice(choices)
        return kind if roll < self._rate else None
