"""The write-ahead journal of a held job, and the back-off between attempts: shared by every kind
that sends possibly charged requests."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import anyio

from framecast.jobs.repository import ClaimedJob, JobRepository
from framecast.providers.base import Progress

PROGRESS_WRITE_INTERVAL_S = 0.5


def backoff_delay(attempt: int, base_s: float, max_s: float) -> float:
    """Exponential back-off with full jitter in its upper half."""
    ceiling = min(max_s, base_s * 2 ** max(0, attempt - 1))
    return float(ceiling / 2 + random.random() * ceiling / 2)


class CancelledBeforeSendError(Exception):
    """Raised inside a run when the user cancelled before anything was sent."""


class DbJournal:
    """The write-ahead journal of one job, backed by the jobs table."""

    def __init__(self, repo: JobRepository, job: ClaimedJob, worker_id: str, *, paid: bool) -> None:
        self.repo = repo
        self.job = job
        self.worker_id = worker_id
        self.paid = paid
        self.submitted = False
        self.provider_ids: tuple[str, ...] = ()
        self.on_progress: Callable[[int, Progress], None] | None = None
        self._last_progress: Progress | None = None
        self._last_write = float("-inf")

    async def before_submit(self) -> None:
        """Commit the write-ahead mark; raises :class:`CancelledBeforeSendError` when the user has
        cancelled (nothing is sent then)."""
        if not await anyio.to_thread.run_sync(self.repo.mark_submitting, self.job.id, self.worker_id):
            raise CancelledBeforeSendError
        self.submitted = True

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        self.provider_ids = provider_ids
        await anyio.to_thread.run_sync(
            self.repo.record_provider_ids, self.job.id, self.job.provider, provider_ids
        )

    async def progress(self, progress: Progress) -> None:
        # Progress is informative, not durable state: write it when it changes, at most twice a second.
        now = time.monotonic()
        if progress != self._last_progress and now - self._last_write >= PROGRESS_WRITE_INTERVAL_S:
            self._last_progress = progress
            self._last_write = now
            await anyio.to_thread.run_sync(
                self.repo.set_progress, self.job.id, progress.status, progress.percent
            )
        if self.on_progress is not None:
            self.on_progress(self.job.id, progress)
