"""An accepted generation, and the scripts that put it (or a fault instead of it) on the wire.

A :class:`Generation` runs as its own asyncio task, not as part of the HTTP response: it finishes and
marks its history rows completed after ``latency`` whether the client is still listening, has gone,
or was cut off. The response only reads the phases it publishes.

A generation given a :class:`~framecast.emulators.genaipro.faults.GenerationFailure` (the
``generation_failed``, ``unsafe_generation`` and ``audio_filtered`` faults) works for half the
latency instead, then marks its rows failed with the failure's error, again whoever is listening;
its stream ends with ``event:error`` carrying ``{"code": ..., "error": ...}`` and a proper close.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from framecast.emulators.genaipro import wire
from framecast.emulators.genaipro.faults import FaultKind, GenerationFailure
from framecast.emulators.genaipro.sse import Emit, Ending, Script
from framecast.emulators.genaipro.state import EmulatorState, HistoryRecord, ItemKind, Order
from framecast.providers.base import Mode

MAX_PROGRESS_EVENTS = 60


@dataclass(frozen=True)
class Phase:
    status: str  # the provider's word: starting, uploading_images, processing, generating
    percent: int


class Generation:
    """The timeline of one accepted request: status phases spread over ``latency``, then completion.

    With a ``failure``, the phases are spread over half the latency and the rows end failed.
    """

    def __init__(
        self,
        state: EmulatorState,
        order: Order,
        records: list[HistoryRecord],
        latency: float,
        *,
        failure: GenerationFailure | None = None,
        refund_failure: bool = False,
        on_finish: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.state = state
        # v2: a failed task's credits are given back; ``on_finish`` runs once the rows are final.
        self.refund_failure = refund_failure
        self.on_finish = on_finish
        self.order = order
        self.records = records
        self.latency = latency
        self.failure = failure
        self.phases: asyncio.Queue[Phase | None] = asyncio.Queue()  # None: ended (as ``failure`` says)

    @property
    def status_event(self) -> str:
        return wire.IMAGE_STATUS_EVENT if self.order.kind is ItemKind.IMAGE else wire.VIDEO_STATUS_EVENT

    async def run(self) -> None:
        """Publish the phases, wait out the latency, then complete (or fail) the history rows."""
        loop = asyncio.get_running_loop()
        duration = self.latency / 2 if self.failure is not None else self.latency
        deadline = loop.time() + duration
        steps = max(2, min(MAX_PROGRESS_EVENTS, math.ceil(duration)))
        if self.order.kind is ItemKind.IMAGE:
            self.phases.put_nowait(Phase("generating", 0))
            work = "generating"
        else:
            self.phases.put_nowait(Phase("starting", 0))
            if self.order.mode in (Mode.FRAMES, Mode.INGREDIENTS):
                self.phases.put_nowait(Phase("uploading_images", 5))
            work = "processing"
        for step in range(steps):
            self.phases.put_nowait(Phase(work, 10 + 80 * step // steps))
            await asyncio.sleep(max(0.0, deadline - loop.time()) / (steps - step))
        await asyncio.sleep(max(0.0, deadline - loop.time()))
        self.state.finish(
            self.records,
            error=None if self.failure is None else self.failure.error,
            refund=self.order.count if self.refund_failure else 0,
        )
        self.phases.put_nowait(None)
        if self.on_finish is not None:
            await self.on_finish()


def generation_script(
    generation: Generation,
    *,
    fault: FaultKind | None,
    style: wire.WireStyle,
    root_url: str,
    rng: random.Random,
    stall_limit: float,
) -> Script:
    """The stream of an accepted request, misbehaving as ``fault`` says."""
    if fault is FaultKind.STALL:
        return _stall(stall_limit)
    if generation.order.kind is ItemKind.IMAGE:
        style = dataclasses.replace(style, percentages=False)  # image progress has no percentages
    drop_after = rng.randint(1, 2) if fault is FaultKind.DROP_AFTER_EVENTS else None

    async def script(emit: Emit) -> Ending:
        sent = 0
        while (phase := await generation.phases.get()) is not None:
            await emit(
                wire.event(
                    generation.status_event, wire.status_data(phase.status, phase.percent, style), style
                )
            )
            sent += 1
            if sent == drop_after:
                return Ending.DROP
            if sent == 1 and fault is FaultKind.MALFORMED_EVENT:
                await emit(wire.malformed_events(generation.status_event, style))
        if generation.failure is not None:
            await emit(wire.event(wire.ERROR_EVENT, wire.compact_json(generation.failure.body), style))
        else:
            await emit(_completion(generation, fault, root_url, style))
        return Ending.CLOSE

    return script


def _stall(limit: float) -> Script:
    async def script(emit: Emit) -> Ending:
        # Nothing at all is written; the response stops this when the client leaves.
        await asyncio.sleep(limit)
        return Ending.CLOSE

    return script


def _completion(
    generation: Generation, fault: FaultKind | None, root_url: str, style: wire.WireStyle
) -> bytes:
    with_status = fault is not FaultKind.COMPLETION_WITHOUT_STATUS
    with_url = fault is not FaultKind.COMPLETION_WITHOUT_FILE_URL
    if generation.order.kind is ItemKind.IMAGE:
        data = wire.image_completion(
            generation.records[0], root_url, with_status=with_status, with_url=with_url
        )
        return wire.event(wire.IMAGE_COMPLETE_EVENT, data, style)
    data = wire.video_completion(generation.records, root_url, with_status=with_status, with_url=with_url)
    return wire.event(wire.VIDEO_COMPLETE_EVENT, data, style)


def empty_script() -> Script:
    """``empty_stream``: headers, no events, a proper close."""

    async def script(emit: Emit) -> Ending:
        return Ending.CLOSE

    return script


def recaptcha_script(order: Order, style: wire.WireStyle) -> Script:
    """``recaptcha``: ``starting``, then the 403 error event the real service sends, then close."""
    name = wire.IMAGE_STATUS_EVENT if order.kind is ItemKind.IMAGE else wire.VIDEO_STATUS_EVENT
    first = "generating" if order.kind is ItemKind.IMAGE else "starting"

    async def script(emit: Emit) -> Ending:
        await emit(wire.event(name, wire.status_data(first, 0, style), style))
        await emit(wire.event(wire.ERROR_EVENT, wire.compact_json(wire.RECAPTCHA_ERROR), style))
        return Ending.CLOSE

    return script
