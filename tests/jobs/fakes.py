"""Scripted fake providers for engine tests (registered the way real providers are)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from framecast.providers.base import (
    GenerationRequest,
    GenerationResult,
    HistoryPage,
    MediaItem,
    Quota,
    ReconcileOutcome,
    Submission,
    SubmissionJournal,
)
from framecast.providers.registry import ProviderBundle, ProviderTraits

Step = Callable[[GenerationRequest], GenerationResult]
_counter = itertools.count(1)


def local_result(work: Path, request: GenerationRequest, suffix: str = ".mp4") -> GenerationResult:
    items = []
    for _ in range(request.count):
        path = work / f"fake-{next(_counter)}{suffix}"
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32)
        items.append(MediaItem(provider_id=f"g{next(_counter)}", path=path))
    return GenerationResult(items=tuple(items))


@dataclass
class FakeVideo:
    work: Path
    script: list[Step | Exception] = field(default_factory=list)
    calls: list[GenerationRequest] = field(default_factory=list)
    submits: int = 0
    name: str = "fake"

    async def generate_video(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        self.calls.append(request)
        await journal.before_submit()
        self.submits += 1
        step = self.script.pop(0) if self.script else None
        if isinstance(step, Exception):
            raise step
        if step is not None:
            return step(request)
        return local_result(self.work, request)

    async def generate_image(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        self.calls.append(request)
        await journal.before_submit()
        self.submits += 1
        return local_result(self.work, request, ".png")


@dataclass
class FakeHistory:
    outcomes: list[ReconcileOutcome] = field(default_factory=list)
    seen: list[Submission] = field(default_factory=list)
    name: str = "fake"

    async def list_history(self, page: int = 1, page_size: int = 20) -> HistoryPage:
        return HistoryPage(items=(), page=page, page_size=page_size, total=0, total_pages=0)

    async def reconcile(self, submission: Submission) -> ReconcileOutcome:
        self.seen.append(submission)
        return self.outcomes.pop(0)


@dataclass
class FakeQuota:
    available: int | None = None
    name: str = "fake"

    async def read_quota(self) -> Quota:
        return Quota(total=self.available, used=0, available=self.available)


# A paid provider that looks in its history often and gives up on a missing submission at once;
# tests that need another rule pass their own traits.
FAKE_TRAITS = ProviderTraits(
    label="Fake",
    paid=True,
    credits_per_video=1,
    credits_per_image=1,
    reconcile_poll_s=0.01,
    reconcile_grace_s=0.0,
)


def fake_bundle(
    work: Path,
    video: FakeVideo,
    history: FakeHistory | None = None,
    traits: ProviderTraits = FAKE_TRAITS,
) -> ProviderBundle:
    return ProviderBundle(
        name="fake", video=video, image=video, history=history, quota=FakeQuota(), traits=traits
    )
