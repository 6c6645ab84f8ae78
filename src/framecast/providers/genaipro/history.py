"""GenAIPro's generation history (``/veo/histories``) and reconciling ambiguous submissions with it.

A POST-SSE stream cannot be re-attached, so when one breaks the only way to learn what happened is
the history: first by the provider ids captured from the stream, else by the exact prompt and a
time window around the submission. The scan is bounded (:data:`MAX_PAGES` of :data:`SCAN_PAGE_SIZE`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from framecast.core.errors import ErrorCategory, RefusedError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import (
    HistoryItem,
    HistoryPage,
    HistoryStatus,
    MediaItem,
    ReconcileOutcome,
    ReconcileState,
    Submission,
)
from framecast.providers.genaipro.client import GenAIProClient
from framecast.providers.genaipro.failures import PROVIDER, failure_category
from framecast.providers.genaipro.sse import file_urls_of, history_status, parse_timestamp

log = logging.getLogger(__name__)

SCAN_PAGE_SIZE = 100
MAX_PAGES = 10


class GenAIProHistoryProvider:
    """Reads ``/veo/histories``; raises the client's :class:`ProviderError` categories on failure."""

    name = "genaipro"

    def __init__(self, http: httpx.AsyncClient, config: GenAIProSettings, api_key: str | None = None) -> None:
        self._client = GenAIProClient(http, config, api_key)
        self._window = timedelta(seconds=config.reconcile_window_s)

    async def list_history(self, page: int = 1, page_size: int = 20) -> HistoryPage:
        """One page of the history, newest first (as the service returns it).

        Raises :class:`RefusedError` when the answer is not a history page.
        """
        body = await self._client.get_json("/veo/histories", {"page": page, "page_size": page_size})
        return parse_history_page(body, page=page, page_size=page_size)

    async def reconcile(self, submission: Submission) -> ReconcileOutcome:
        """What became of ``submission``: FOUND, PENDING, FAILED or ABSENT (see ``ReconcileState``).

        Rows are matched by ``submission.provider_ids`` when any is in the history, else by the
        whitespace-normalised prompt within ``reconcile_window_s`` of the submission, skipping
        ``submission.excluded_ids`` and keeping the rows closest after it that hold ``request.count``
        files (one image row may hold several).
        Raises the client's :class:`ProviderError` categories when the history cannot be read.
        """
        wanted = set(submission.provider_ids)
        prompt = _normalise(submission.request.prompt)
        submitted_at = _aware(submission.submitted_at)
        by_id: dict[str, HistoryItem] = {}
        by_prompt: dict[str, HistoryItem] = {}
        for number in range(1, MAX_PAGES + 1):
            page = await self.list_history(number, SCAN_PAGE_SIZE)
            for item in page.items:
                if item.provider_id in wanted:
                    by_id[item.provider_id] = item
                elif (
                    item.provider_id not in submission.excluded_ids
                    and item.created_at is not None
                    and abs(item.created_at - submitted_at) <= self._window
                    and _normalise(item.prompt) == prompt
                ):
                    by_prompt[item.provider_id] = item
            if (wanted and len(by_id) == len(wanted)) or _last_page(
                page, number, submitted_at - self._window
            ):
                break
        if by_id:
            return outcome_for(by_id.values())
        # Closest after the submission first; rows stamped a little before it (clock skew) last.
        ranked = sorted(by_prompt.values(), key=lambda item: _distance(item, submitted_at))
        return outcome_for(_enough(ranked, submission.request.count))


def _last_page(page: HistoryPage, number: int, oldest_wanted: datetime) -> bool:
    """True when later pages cannot hold a match: no more pages, or every row here is too old.

    Ordering is only implied (newest first), so a page stops the scan only when *all* its rows
    are older than the window, not merely its last one.
    """
    if not page.items or number >= page.total_pages:
        return True
    stamps = [item.created_at for item in page.items if item.created_at is not None]
    return bool(stamps) and max(stamps) < oldest_wanted


def parse_history_page(body: Any, *, page: int, page_size: int) -> HistoryPage:
    """A :class:`HistoryPage` from ``{data, total, page, page_size, total_pages}`` (or a bare list).

    Rows without an id are skipped. Raises :class:`RefusedError` for any other shape.
    """
    if isinstance(body, list):
        body = {"data": body, "total": len(body)}
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        raise RefusedError(
            f"GenAIPro's history answer has an unexpected shape: {str(body)[:200]!r}",
            provider=PROVIDER,
            category=ErrorCategory.SERVER,
        )
    items = tuple(item for item in (parse_history_item(row) for row in body.get("data") or []) if item)
    size = _int(body.get("page_size")) or page_size
    total = _int(body.get("total"))
    if total is None:
        total = len(items)
    total_pages = _int(body.get("total_pages"))
    if total_pages is None:
        total_pages = math.ceil(total / size) if size > 0 else 1
    return HistoryPage(
        items=items, page=_int(body.get("page")) or page, page_size=size, total=total, total_pages=total_pages
    )


def parse_history_item(row: Any) -> HistoryItem | None:
    """One history row; None (and a log line) for a row without an id."""
    if not isinstance(row, dict) or row.get("id") in (None, ""):
        log.warning("skipping a GenAIPro history row without an id: %.200r", row)
        return None
    status = history_status(row.get("status") if isinstance(row.get("status"), str) else None)
    urls = file_urls_of(row)
    if status is HistoryStatus.PROCESSING and urls and row.get("status") is None:
        # Rows observed without a status but with a URL are finished.
        status = HistoryStatus.COMPLETED
    error = row.get("error")
    prompt = row.get("prompt")
    return HistoryItem(
        provider_id=str(row["id"]),
        prompt=prompt if isinstance(prompt, str) else "",
        status=status,
        file_urls=urls,
        created_at=parse_timestamp(row.get("created_at")),
        error=str(error) if error not in (None, "") else None,
    )


def outcome_for(matches: Iterable[HistoryItem]) -> ReconcileOutcome:
    """The reconcile state of the matched rows.

    Any row still processing (or completed without a URL yet) -> PENDING; else any completed ->
    FOUND with its files; else all failed -> FAILED (with the category of the row's error);
    nothing matched -> ABSENT.
    """
    rows = list(matches)
    if not rows:
        return ReconcileOutcome(ReconcileState.ABSENT)
    ids = tuple(row.provider_id for row in rows)
    done = [row for row in rows if row.status is HistoryStatus.COMPLETED and row.file_urls]
    waiting = [
        row
        for row in rows
        if row.status is HistoryStatus.PROCESSING
        or (row.status is HistoryStatus.COMPLETED and not row.file_urls)
    ]
    if waiting:
        return ReconcileOutcome(ReconcileState.PENDING, provider_ids=ids)
    if done:
        items = tuple(
            MediaItem(provider_id=row.provider_id, url=url, prompt=row.prompt, created_at=row.created_at)
            for row in done
            for url in row.file_urls
        )
        return ReconcileOutcome(ReconcileState.FOUND, items=items, provider_ids=ids)
    error = next((row.error for row in rows if row.error), None) or "the generation failed"
    return ReconcileOutcome(
        ReconcileState.FAILED, provider_ids=ids, error=error, error_category=failure_category(error)
    )


def _enough(ranked: list[HistoryItem], count: int) -> list[HistoryItem]:
    """The first rows that together hold ``count`` files.

    One image row may carry several ``file_urls``; a row without URLs yet counts as one file.
    """
    taken: list[HistoryItem] = []
    covered = 0
    for item in ranked:
        if covered >= count:
            break
        taken.append(item)
        covered += max(1, len(item.file_urls))
    return taken


def _distance(item: HistoryItem, submitted_at: datetime) -> tuple[bool, float]:
    if item.created_at is None:
        return (True, math.inf)
    delta = (item.created_at - submitted_at).total_seconds()
    return (delta < 0, abs(delta))


def _normalise(prompt: str) -> str:
    return " ".join(prompt.split())


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
