"""A journal that records what a provider told it, for the offline provider tests."""

from __future__ import annotations

from framecast.providers.base import Progress


class RecordingJournal:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.progress_reports: list[Progress] = []

    async def before_submit(self) -> None:
        self.calls.append("before_submit")

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        self.calls.append("accepted")

    async def progress(self, progress: Progress) -> None:
        self.calls.append("progress")
        self.progress_reports.append(progress)
