"""In-memory accounting of one emulated account: history, quota, statistics and admission limits.

Every method here is synchronous and never awaits, so each call runs to completion without another
coroutine interleaving: that is what guards the state under asyncio. Call it only from the event
loop that serves the emulator (the admin and test helpers go through HTTP for that reason).
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from framecast.emulators.genaipro.faults import FaultKind
from framecast.providers.base import Aspect, Mode

WINDOW_SECONDS = 60.0


class ItemKind(StrEnum):
    VIDEO = "video"
    IMAGE = "image"


class ItemStatus(StrEnum):
    PROCESSING = "processing"  # accepted, generation running
    COMPLETED = "completed"  # files are served
    FAILED = "failed"  # generation failed; ``error`` says why


@dataclass(frozen=True)
class Order:
    """One validated generation request as the emulator understood it."""

    mode: Mode
    prompt: str
    aspect: Aspect
    count: int  # number_of_videos / number_of_images; also the credits it costs

    @property
    def kind(self) -> ItemKind:
        return ItemKind.IMAGE if self.mode is Mode.IMAGE else ItemKind.VIDEO


@dataclass
class HistoryRecord:
    """One history row. A video request makes one row per video; an image request one row in all."""

    id: str
    prompt: str
    kind: ItemKind
    mode: Mode
    aspect: Aspect
    file_names: tuple[str, ...]  # served under /files/ once completed
    created_at: datetime  # aware; its offset is the one this row is reported with
    status: ItemStatus = ItemStatus.PROCESSING
    error: str | None = None


class RefusalReason(StrEnum):
    RATE_LIMIT = "rate_limit"  # the sliding window is full
    CONCURRENCY = "concurrency"  # too many generations in flight
    QUOTA = "quota"  # not enough credits


# The keys of ``refused_by`` in the statistics: each refusal is counted once, under its cause.
REFUSAL_CAUSES: dict[RefusalReason, str] = {
    RefusalReason.CONCURRENCY: "concurrency",
    RefusalReason.RATE_LIMIT: "rate",
    RefusalReason.QUOTA: "quota",
}
FAULT_CAUSE = "fault"  # a generation kind of fault that refuses (a read fault is counted in read_faults)


def _no_refusals() -> dict[str, int]:
    return dict.fromkeys([*REFUSAL_CAUSES.values(), FAULT_CAUSE], 0)


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    retry_after: int | None = None  # whole seconds, for the Retry-After header


@dataclass
class Stats:
    requests: int = 0  # generation requests received, whatever became of them
    accepted: int = 0  # charged and recorded
    refused: int = 0  # valid, but turned away (faults that refuse, 429, 402)
    refused_by: dict[str, int] = field(default_factory=_no_refusals)  # ``refused`` by cause
    rejected: int = 0  # not authenticated or not valid (401, 400)
    completed: int = 0  # accepted generations that finished in history with their files
    failed: int = 0  # accepted generations that ended failed in history (charged, no files)
    read_faults: int = 0  # GET /veo/me, /veo/credits, /veo/histories answered with a fault
    accepted_prompts: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)  # by kind, generation and read alike
    # v2 (task API): every /api/v2 request, the GETs of tasks and histories among them, the ones
    # the v2 window refused, failed generations whose credits were given back, callbacks POSTed.
    v2_requests: int = 0
    v2_polls: int = 0
    v2_rate_limited: int = 0
    refunded: int = 0
    callbacks_sent: int = 0
    callbacks_failed: int = 0


class SlidingWindowLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds; ``limit == 0`` is unlimited."""

    def __init__(
        self, limit: int, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._times: deque[float] = deque()

    def try_acquire(self) -> float | None:
        """Take a slot and return None, or return the seconds until the oldest slot frees."""
        if self._limit == 0:
            return None
        now = self._clock()
        while self._times and self._times[0] <= now - self._window:
            self._times.popleft()
        if len(self._times) < self._limit:
            self._times.append(now)
            return None
        return self._times[0] + self._window - now


class EmulatorState:
    """History, quota, statistics, rate window and in-flight count of one emulated account."""

    def __init__(
        self,
        *,
        quota: int | None,
        rate_per_minute: int,
        concurrency: int,
        v2_rate_per_minute: int = 0,
        v2_window_s: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quota_total = quota
        self.quota_used = 0
        self.concurrency = concurrency
        self.in_flight = 0
        self.max_in_flight = 0  # the most generations in flight at once since this state began
        self.stats = Stats()
        self.started_at = datetime.now(UTC)
        self._limiter = SlidingWindowLimiter(rate_per_minute, clock=clock)
        # v2 documents one limit for all its requests, submissions and polls alike.
        self._v2_limiter = SlidingWindowLimiter(v2_rate_per_minute, v2_window_s, clock=clock)
        self._history: list[HistoryRecord] = []  # oldest first
        self._by_id: dict[str, HistoryRecord] = {}
        self._by_file: dict[str, HistoryRecord] = {}

    # -- accounting of requests -------------------------------------------------------------------

    def count_request(self) -> None:
        self.stats.requests += 1

    def reject(self) -> None:
        """Record a request turned away for authentication or validation."""
        self.stats.rejected += 1

    def refuse(self, cause: FaultKind | RefusalReason) -> None:
        """Record a valid request turned away before acceptance, by a refusing fault or a limit."""
        self.stats.refused += 1
        if isinstance(cause, FaultKind):
            self.stats.faults[cause.value] += 1
            self.stats.refused_by[FAULT_CAUSE] += 1
        else:
            self.stats.refused_by[REFUSAL_CAUSES[cause]] += 1

    def read_fault(self, fault: FaultKind) -> None:
        """Record a GET answered with a fault instead of its data."""
        self.stats.read_faults += 1
        self.stats.faults[fault.value] += 1

    def count_v2_request(self, *, poll: bool = False) -> int | None:
        """Count one v2 request against the v2 window: None when it may go on, else the whole
        seconds until the window has room (the request is answered 429)."""
        self.stats.v2_requests += 1
        if poll:
            self.stats.v2_polls += 1
        wait = self._v2_limiter.try_acquire()
        if wait is None:
            return None
        self.stats.v2_rate_limited += 1
        return max(1, math.ceil(wait))

    @property
    def quota_available(self) -> int | None:
        return None if self.quota_total is None else max(0, self.quota_total - self.quota_used)

    def admit(
        self,
        order: Order,
        *,
        fault: FaultKind | None,
        tz: tzinfo,
        rate_window: bool = True,
    ) -> list[HistoryRecord] | Refusal:
        """Apply rate limit, concurrency limit and quota in that order; accept if all pass.

        Accepting charges ``order.count`` credits, adds the history rows (status processing),
        counts the request as accepted and in flight, and counts ``fault`` if one was chosen.
        A refusal is counted too; the caller answers it with the matching status code.
        ``rate_window=False`` (v2, whose own window the request already passed) skips the v1 window.
        """
        wait = self._limiter.try_acquire() if rate_window else None
        if wait is not None:
            self.refuse(RefusalReason.RATE_LIMIT)
            return Refusal(RefusalReason.RATE_LIMIT, retry_after=max(1, math.ceil(wait)))
        if self.concurrency and self.in_flight >= self.concurrency:
            self.refuse(RefusalReason.CONCURRENCY)
            return Refusal(RefusalReason.CONCURRENCY, retry_after=1)
        available = self.quota_available
        if available is not None and available < order.count:
            self.refuse(RefusalReason.QUOTA)
            return Refusal(RefusalReason.QUOTA)
        self.quota_used += order.count
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.stats.accepted += 1
        self.stats.accepted_prompts[order.prompt] += 1
        if fault is not None:
            self.stats.faults[fault.value] += 1
        created_at = datetime.now(tz).replace(microsecond=0)
        records = [self._new_record(order, created_at) for _ in range(self._rows(order))]
        for record in records:
            self._history.append(record)
            self._by_id[record.id] = record
            for name in record.file_names:
                self._by_file[name] = record
        return records

    def finish(self, records: list[HistoryRecord], *, error: str | None = None, refund: int = 0) -> None:
        """Mark an accepted generation completed (or failed with ``error``) and no longer in flight.

        A failed generation is counted in ``failed``, never in ``completed``; ``refund`` credits of
        a failed one are given back (v2 refunds failed tasks) and it is counted in ``refunded``.
        """
        if error and refund:
            self.quota_used = max(0, self.quota_used - refund)
            self.stats.refunded += 1
        for record in records:
            record.status = ItemStatus.FAILED if error else ItemStatus.COMPLETED
            record.error = error
        self.in_flight -= 1
        if error:
            self.stats.failed += 1
        else:
            self.stats.completed += 1

    # -- reading ------------------------------------------------------------------------------------

    def page(self, page: int, page_size: int) -> tuple[list[HistoryRecord], int]:
        """One 1-based page of history, newest first, and the total number of rows."""
        newest_first = self._history[::-1]
        start = (page - 1) * page_size
        return newest_first[start : start + page_size], len(newest_first)

    def record(self, item_id: str) -> HistoryRecord | None:
        return self._by_id.get(item_id)

    def record_for_file(self, file_name: str) -> HistoryRecord | None:
        return self._by_file.get(file_name)

    def stats_json(self) -> dict[str, Any]:
        return {
            "requests": self.stats.requests,
            "accepted": self.stats.accepted,
            "refused": self.stats.refused,
            "refused_by": dict(self.stats.refused_by),
            "rejected": self.stats.rejected,
            "completed": self.stats.completed,
            "failed": self.stats.failed,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "accepted_prompts": dict(self.stats.accepted_prompts),
            "faults": dict(self.stats.faults),
            "read_faults": self.stats.read_faults,
            "v2_requests": self.stats.v2_requests,
            "v2_polls": self.stats.v2_polls,
            "v2_rate_limited": self.stats.v2_rate_limited,
            "refunded": self.stats.refunded,
            "callbacks_sent": self.stats.callbacks_sent,
            "callbacks_failed": self.stats.callbacks_failed,
            "quota": {
                "total": self.quota_total,
                "used": self.quota_used,
                "available": self.quota_available,
            },
        }

    # -- internals ----------------------------------------------------------------------------------

    @staticmethod
    def _rows(order: Order) -> int:
        return 1 if order.kind is ItemKind.IMAGE else order.count

    @staticmethod
    def _new_record(order: Order, created_at: datetime) -> HistoryRecord:
        item_id = uuid.uuid4().hex
        if order.kind is ItemKind.VIDEO:
            files: tuple[str, ...] = (f"{item_id}.mp4",)
        else:
            files = tuple(
                f"{item_id}.png" if n == 1 else f"{item_id}-{n}.png" for n in range(1, order.count + 1)
            )
        return HistoryRecord(
            id=item_id,
            prompt=order.prompt,
            kind=order.kind,
            mode=order.mode,
            aspect=order.aspect,
            file_names=files,
            created_at=created_at,
        )
