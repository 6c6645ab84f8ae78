"""GenAIPro's v2 task API: submissions answered ``202`` with task ids, and one poller for them all.

v2 allows 30 requests a minute for submissions and polls together, so the tasks of one provider
instance are never polled one by one. Every generation waiting on its tasks registers them with
the instance's :class:`TaskPoller` and sleeps; a *round* of polling, run by whichever waiter finds
it due (no background task to own or leak), reads every task in flight at once and wakes them all:

* at most ``v2_poll_by_id_max`` tasks waiting (2): ``GET /v2/veo/tasks/{id}`` for each — it never
  misses a task, and costs no more than a page;
* more: ``GET /v2/veo/histories?page_size=100``, newest first, up to :data:`MAX_POLL_PAGES` pages
  until every task waiting is seen — one request for up to 100 tasks. Tasks not seen on those pages
  are read by id when few enough, else on the next round.

Rounds are ``v2_poll_s`` apart and kept to ``v2_poll_rate_per_minute`` requests a minute (a round
of *n* requests makes the next wait at least ``n * 60 / rate`` seconds); a refused round (429, a
dropped connection, a 5xx) waits ``Retry-After`` or one interval and takes its turn again. Every
request, poll or submission, also takes a place in the account's one
:class:`~framecast.providers.sliding_windows.SlidingWindow` of the 30 a minute (shared by every
worker when the provider was built with shared windows); a submission leaves a round's places free
for the polls. A callback from GenAIPro (:func:`wake_pollers`) brings the next round
forward, within the same rate; it is never trusted for results.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from framecast.core.errors import AmbiguousError, GenerationFailedError, PermanentError, ProviderError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import HistoryItem, HistoryStatus, MediaItem, SubmissionJournal
from framecast.providers.genaipro.client import FilesArgument, GenAIProClient
from framecast.providers.genaipro.failures import PROVIDER, failure_category
from framecast.providers.genaipro.history import parse_history_item, parse_history_page
from framecast.providers.sliding_windows import RequestWindow, SlidingWindow

log = logging.getLogger(__name__)

POLL_PAGE_SIZE = 100
MAX_POLL_PAGES = 3


def v2_root(config: GenAIProSettings) -> str:
    """The URL under which ``/v2/...`` lives: ``v2_base_url``, else ``base_url`` without ``/v1``."""
    root = (config.v2_base_url or config.base_url).rstrip("/")
    return root.removesuffix("/v1") if not config.v2_base_url else root


def v2_client(http: httpx.AsyncClient, config: GenAIProSettings, api_key: str | None) -> GenAIProClient:
    """A client whose paths (``/veo/text-to-video``, ``/veo/histories``, ``/me``) are v2's."""
    v2 = config.model_copy(update={"base_url": v2_root(config) + "/v2"})
    return GenAIProClient(http, v2, api_key)


def task_ids(body: object) -> tuple[str, ...]:
    """The task ids of a 202: ``{"histories": [{id}, ...]}`` (videos) or one task object (image)."""
    rows: Iterable[object]
    if isinstance(body, dict) and isinstance(body.get("histories"), list):
        rows = body["histories"]
    elif isinstance(body, dict) and isinstance(body.get("data"), list):
        rows = body["data"]
    elif isinstance(body, list):
        rows = body
    else:
        rows = [body]
    ids = []
    for row in rows:
        if isinstance(row, dict) and row.get("id") not in (None, ""):
            ids.append(str(row["id"]))
    return tuple(ids)


@dataclass
class PollStats:
    rounds: int = 0  # rounds that sent at least one request
    requests: int = 0  # GETs sent by this poller
    failed_rounds: int = 0  # rounds refused or cut (tried again later)
    most_requests_in_a_round: int = 0
    most_waiting: int = 0  # the most tasks waiting at once


_POLLERS: weakref.WeakSet[TaskPoller] = weakref.WeakSet()


def wake_pollers() -> int:
    """Bring the next round of every poller in this process forward (a callback said "look now");
    the number of pollers woken."""
    pollers = list(_POLLERS)
    for poller in pollers:
        poller.nudge()
    return len(pollers)


class TaskPoller:
    """Waits for v2 tasks, polling for all waiters at once (see the module docstring)."""

    def __init__(
        self, client: GenAIProClient, config: GenAIProSettings, *, window: SlidingWindow | None = None
    ) -> None:
        """``window``: the account's request budget (None: one of this poller's own)."""
        self._client = client
        self.window: SlidingWindow = window or RequestWindow(config.v2_rate_per_minute, config.v2_window_s)
        self._interval = max(0.01, config.v2_poll_s)
        self._rate = max(0.1, config.v2_poll_rate_per_minute)
        self._by_id_max = max(0, config.v2_poll_by_id_max)
        # The places a round usually needs: reads by id of the few tasks left, else one page.
        self.round_places = max(1, self._by_id_max)
        self._watched: dict[str, HistoryItem | None] = {}
        self._lock = anyio.Lock()
        self._round = anyio.Event()
        self._next = 0.0  # event-loop time of the next round
        self._earliest = 0.0  # no round before this, whatever wakes it: the rate's floor
        self.stats = PollStats()
        _POLLERS.add(self)

    def nudge(self) -> None:
        """Poll as soon as the rate allows, and wake the waiters to do it."""
        self._next = self._earliest
        self._wake()

    async def wait(self, ids: tuple[str, ...], *, timeout_s: float) -> list[HistoryItem]:
        """The final rows (completed or failed) of ``ids``, once all are final.

        Raises :class:`AmbiguousError` when they are not all final within ``timeout_s`` (the job
        engine then looks them up in the history, never resubmitting before that).
        """
        now = anyio.current_time()
        if not self._watched and self._next < now:
            self._next = max(self._earliest, now + self._interval)  # nothing can be done at once
        for task_id in ids:
            self._watched.setdefault(task_id, None)
        self.stats.most_waiting = max(self.stats.most_waiting, len(self._watched))
        try:
            with anyio.fail_after(timeout_s):
                while True:
                    rows = [self._watched.get(task_id) for task_id in ids]
                    if all(row is not None and _final(row) for row in rows):
                        return [row for row in rows if row is not None]
                    await self._poll_if_due()
                    rows = [self._watched.get(task_id) for task_id in ids]
                    if all(row is not None and _final(row) for row in rows):
                        continue
                    event = self._round
                    pause = self._next - anyio.current_time()
                    if pause > 0:
                        with anyio.move_on_after(pause):
                            await event.wait()
        except TimeoutError:
            raise AmbiguousError(
                f"GenAIPro's task(s) {', '.join(ids)} were not finished after {timeout_s:g} s; they "
                "will be looked up in the history before any resubmit",
                provider=PROVIDER,
            ) from None
        finally:
            for task_id in ids:
                self._watched.pop(task_id, None)

    async def _poll_if_due(self) -> None:
        if anyio.current_time() < self._next:
            return
        async with self._lock:
            if anyio.current_time() < self._next:
                return  # another waiter polled while this one queued for the lock
            sent = 0
            pause = self._interval
            try:
                sent = await self._round_of_polls()
            except ProviderError as exc:
                self.stats.failed_rounds += 1
                sent = max(sent, 1)
                pause = max(pause, exc.retry_after or 0.0)
                log.info("polling GenAIPro's tasks failed (%s); trying again in %.1f s", exc.message, pause)
            finally:
                now = anyio.current_time()
                self._earliest = now + sent * 60.0 / self._rate
                self._next = max(now + pause, self._earliest)
                self._wake()

    async def _round_of_polls(self) -> int:
        """One round; the requests it sent. Raises the client's errors for a refused request."""
        waiting = [task_id for task_id, row in self._watched.items() if row is None or not _final(row)]
        if not waiting:
            return 0
        self.stats.rounds += 1
        sent = 0
        unseen = set(waiting)
        if len(waiting) > self._by_id_max:
            for number in range(1, MAX_POLL_PAGES + 1):
                sent += 1
                self._count(sent)
                async with self.window.place():
                    body = await self._client.get_json(
                        "/veo/histories", {"page": number, "page_size": POLL_PAGE_SIZE}, attempts=1
                    )
                page = parse_history_page(body, page=number, page_size=POLL_PAGE_SIZE)
                for row in page.items:
                    if row.provider_id in self._watched:
                        self._watched[row.provider_id] = row
                        unseen.discard(row.provider_id)
                if not unseen or not page.items or number >= page.total_pages:
                    break
        if unseen and len(unseen) <= self._by_id_max:
            for task_id in sorted(unseen):
                sent += 1
                self._count(sent)
                try:
                    async with self.window.place():
                        body = await self._client.get_json(f"/veo/tasks/{task_id}", attempts=1)
                except PermanentError as exc:
                    if exc.status_code == 404:
                        continue  # not visible yet; the timeout settles a task that never appears
                    raise
                task = parse_history_item(body)
                if task is not None and task_id in self._watched:
                    self._watched[task_id] = task
        return sent

    def _count(self, sent_this_round: int) -> None:
        self.stats.requests += 1
        self.stats.most_requests_in_a_round = max(self.stats.most_requests_in_a_round, sent_this_round)

    def _wake(self) -> None:
        event, self._round = self._round, anyio.Event()
        event.set()


def _final(row: HistoryItem) -> bool:
    return row.status is HistoryStatus.FAILED or (
        row.status is HistoryStatus.COMPLETED and bool(row.file_urls)
    )


async def run_task(
    client: GenAIProClient,
    poller: TaskPoller,
    path: str,
    *,
    journal: SubmissionJournal,
    timeout_s: float,
    json: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    files: FilesArgument | None = None,
) -> list[MediaItem]:
    """Submit one v2 generation, record its task ids, wait for them, and return its files.

    The submission waits for a place in the poller's window that leaves one round of reads free
    (``v2_poll_by_id_max`` places, at least one); nothing is journalled before it has one.

    Raises :class:`GenerationFailedError` when every task failed (v2 refunds them), by category
    (unsafe content is never resent), :class:`AmbiguousError` when the answer lost the ids or the
    tasks outlast ``timeout_s``, and the client's categories for a refused submission.
    """
    async with poller.window.place(reserve=poller.round_places):
        body = await client.submit_task(path, json=json, data=data, files=files, journal=journal)
    ids = task_ids(body)
    if not ids:
        raise AmbiguousError(
            f"GenAIPro accepted {path} without naming a task; it will be looked up in the history",
            provider=PROVIDER,
        )
    await journal.accepted(ids)
    rows = await poller.wait(ids, timeout_s=timeout_s)
    done = [row for row in rows if row.status is HistoryStatus.COMPLETED]
    if not done:
        error = next((row.error for row in rows if row.error), None) or "the task failed"
        raise GenerationFailedError(
            f"GenAIPro's task failed: {error} (v2 refunds failed tasks)",
            provider=PROVIDER,
            category=failure_category(error),
        )
    return [
        MediaItem(provider_id=row.provider_id, url=url, prompt=row.prompt, created_at=row.created_at)
        for row in done
        for url in row.file_urls
    ]
