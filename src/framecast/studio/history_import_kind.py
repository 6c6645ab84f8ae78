"""The job kind ``studio.history_import``: bring a finished item of a provider's history into its
owner's library. Registered with the queue when this module is imported.

:func:`queue_import` queues one in the caller's transaction (or answers the import of that item
already waiting or running for that owner). The job's ``request`` is ``{provider_id, out_dir}``; a
worker looks the item up in the provider's recent history (with the owner's key, else the
platform's), downloads its files into ``out_dir`` through ``providers/downloads.py`` with the
provider's ``DownloadAuth``, makes the videos' posters, and adds the library rows in the
transaction that marks the job SUCCEEDED. Its ``outputs`` are then the files
``[{file_id, path, name, kind, ...}]``.

An item is imported once per owner, whatever crashes: the rows and the job's success commit
together (a worker that dies before that leaves no rows, and the job is run again, downloading
over the same file names); an item already in the library (imported by another job that won a
race, or downloaded by one of the owner's generations) is answered with the files already there
instead of a second copy. Reading history and downloading are free, so a retry costs nothing.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import anyio
import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.core.errors import ConfigurationError, DownloadError, FramecastError, ProviderError
from framecast.core.http import build_http_client
from framecast.db.accounts import User
from framecast.db.library import MediaFile
from framecast.db.models import Job
from framecast.jobs.journal import backoff_delay
from framecast.jobs.kinds import KindContext, register_kind
from framecast.jobs.repository import ClaimedJob
from framecast.jobs.states import JobState
from framecast.providers.base import GenerationHistory, HistoryItem, HistoryStatus
from framecast.providers.downloads import download_file
from framecast.providers.registry import DownloadAuth, ProviderBundle
from framecast.studio.outputs import slug
from framecast.studio.posters import make_poster, poster_path

log = logging.getLogger(__name__)

KIND = "studio.history_import"
# The ``mode`` column of this kind's jobs.
MODE = "import"
# A download that keeps failing stops after this many tries (each one retries within itself too).
ATTEMPTS = 4
# The item is looked for in at most this many history pages of this size.
SCAN_PAGES = 10
SCAN_PAGE_SIZE = 100
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


class NotImportableError(FramecastError):
    """The history item is absent, still processing, or failed: importing it cannot succeed now."""


class _AlreadyImportedError(FramecastError):
    """Another import of the item committed first (raised inside the success transaction)."""


def queue_import(session: Session, *, owner_id: int, provider: str, provider_id: str, out_dir: Path) -> Job:
    """The owner's import of ``provider_id`` still waiting or running, else a new one queued in the
    caller's transaction."""
    active = [
        job
        for job in session.scalars(
            select(Job).where(
                Job.kind == KIND,
                Job.owner_id == owner_id,
                Job.provider == provider,
                Job.state.not_in(
                    [s.value for s in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)]
                ),
            )
        )
        if job.request.get("provider_id") == provider_id
    ]
    if active:
        return active[0]
    job = Job(
        kind=KIND,
        owner_id=owner_id,
        provider=provider,
        mode=MODE,
        request={"provider_id": provider_id, "out_dir": str(out_dir)},
        state=JobState.QUEUED.value,
        max_attempts=ATTEMPTS,
        provider_ids=[],
        outputs=[],
    )
    session.add(job)
    session.flush()
    return job


def library_rows(session: Session, owner_id: int, provider: str, provider_id: str) -> list[MediaFile]:
    """The owner's library files of ``provider_id`` (imported, or made by one of their jobs)."""
    return list(
        session.scalars(
            select(MediaFile)
            .where(
                MediaFile.owner_id == owner_id,
                MediaFile.provider == provider,
                MediaFile.provider_id == provider_id,
            )
            .order_by(MediaFile.id)
        )
    )


def imported_rows(session: Session, job: Job) -> list[MediaFile]:
    """The library files a succeeded import job brought in (or found there), still in the library."""
    ids = [int(o["file_id"]) for o in job.outputs or [] if o.get("file_id") is not None]
    if not ids or job.owner_id is None:
        return []
    query = select(MediaFile).where(MediaFile.id.in_(ids), MediaFile.owner_id == job.owner_id)
    return list(session.scalars(query.order_by(MediaFile.id)))


class HistoryImport:
    """The handler of ``studio.history_import``. Its concurrency is each provider's limiter's: the
    worker claims these jobs per provider, and holds that provider's bundle."""

    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = None

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        await _ImportRun(claimed, context).run()

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        """Nothing was paid for: an import cut short is run again."""
        await _ImportRun(claimed, context).run()

    def on_success(self, session: Session, job: Job) -> None:
        """Add the downloaded files to the owner's library, unless another import committed first
        (then :class:`_AlreadyImportedError` rolls the success back)."""
        outputs = [dict(o) for o in job.outputs or []]
        if job.owner_id is None or all(o.get("file_id") is not None for o in outputs):
            return
        provider_id = str(job.request["provider_id"])
        # On PostgreSQL two imports' checks would not see each other's rows: one waits here.
        session.execute(select(User.id).where(User.id == job.owner_id).with_for_update())
        if library_rows(session, job.owner_id, job.provider, provider_id):
            raise _AlreadyImportedError(f"{provider_id} is already in the library")
        rows = [
            MediaFile(
                owner_id=job.owner_id,
                kind=output["kind"],
                path=output["path"],
                name=output["name"],
                prompt=output.get("prompt", ""),
                provider=job.provider,
                provider_id=provider_id,
                size_bytes=int(output.get("size_bytes", 0)),
                poster_path=output.get("poster"),
            )
            for output in outputs
        ]
        session.add_all(rows)
        session.flush()
        job.outputs = [{**output, "file_id": row.id} for output, row in zip(outputs, rows, strict=True)]


class _ImportRun:
    """The steps of one import job."""

    def __init__(self, claimed: ClaimedJob, context: KindContext) -> None:
        self.job = claimed
        self.context = context
        self.repo = context.repo
        self.provider_id = str(claimed.request["provider_id"])
        self.folder = Path(claimed.request["out_dir"])

    async def run(self) -> None:
        if await self._answer_existing():
            return
        resolve = self.context.bundle_for
        bundle = await resolve(self.job) if resolve is not None else self.context.bundles[self.job.provider]
        try:
            if bundle.history is None:
                raise ConfigurationError(f"{self.job.provider} keeps no history to import from")
            item = await find_item(bundle.history, self.job.provider, self.provider_id)
            paths = await self._download(item, bundle)
        except (NotImportableError, ConfigurationError) as exc:
            await self._fail("invalid_input" if isinstance(exc, NotImportableError) else "configuration", exc)
            return
        except ProviderError as exc:
            if not exc.retry_safe:
                await self._fail(exc.category.value, exc)
                return
            await self._retry(
                exc.category.value, f"{self.job.provider}'s history could not be read: {exc}", exc
            )
            return
        except DownloadError as exc:
            await self._retry("download", f"the download failed: {exc}", None)
            return
        await self._succeed(item, paths)

    async def _answer_existing(self) -> bool:
        """An item already in the library is answered with its files, never imported again."""

        def existing() -> list[dict[str, Any]]:
            with self.repo.db.session() as session:
                rows = library_rows(session, self.job.owner_id or -1, self.job.provider, self.provider_id)
                return [
                    {"file_id": row.id, "path": row.path, "name": row.name, "kind": row.kind} for row in rows
                ]

        found = await anyio.to_thread.run_sync(existing)
        if found:
            await _call(self.context.succeed, self.job.id, found)
        return bool(found)

    async def _download(self, item: HistoryItem, bundle: ProviderBundle) -> list[Path]:
        http = bundle.http
        if http is not None:
            return await download_all(
                http,
                item,
                self.folder,
                self.job.id,
                self.context.settings.max_download_bytes,
                bundle.download_auth,
            )
        async with build_http_client() as own:
            return await download_all(
                own,
                item,
                self.folder,
                self.job.id,
                self.context.settings.max_download_bytes,
                bundle.download_auth,
            )

    async def _succeed(self, item: HistoryItem, paths: list[Path]) -> None:
        posters = Path(self.context.settings.data_dir) / "posters"
        outputs = await anyio.to_thread.run_sync(describe_files, item, paths, posters)
        try:
            await _call(self.context.succeed, self.job.id, outputs)
        except _AlreadyImportedError:
            log.info("job %s: %s was imported by another job first", self.job.id, self.provider_id)
            await _remove(paths, [o.get("poster") for o in outputs])
            await self._answer_existing()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await _remove(paths, [o.get("poster") for o in outputs])
            raise

    async def _fail(self, category: str, exc: Exception) -> None:
        await _call(self.repo.fail, self.job.id, self.context.worker_id, category=category, message=str(exc))

    async def _retry(self, category: str, message: str, exc: ProviderError | None) -> None:
        jobs = self.context.settings.jobs
        delay = backoff_delay(self.job.attempts + 1, jobs.backoff_base_s, jobs.backoff_max_s)
        if exc is not None and exc.retry_after:
            delay = max(delay, exc.retry_after)
        state = await _call(
            self.repo.requeue,
            self.job.id,
            self.context.worker_id,
            delay_s=delay,
            category=category,
            message=message,
        )
        log.info(
            "job %s: %s; %s", self.job.id, message, "retrying" if state is JobState.QUEUED else state.value
        )


async def find_item(history: GenerationHistory, provider: str, provider_id: str) -> HistoryItem:
    """The history row ``provider_id`` among the provider's recent history; raises
    :class:`NotImportableError` when it is absent, unfinished or failed, and what the provider
    raises when history cannot be read."""
    for number in range(1, SCAN_PAGES + 1):
        page = await history.list_history(page=number, page_size=SCAN_PAGE_SIZE)
        for item in page.items:
            if item.provider_id != provider_id:
                continue
            if item.status is HistoryStatus.FAILED:
                raise NotImportableError(f"{provider_id} failed at {provider}; nothing to import")
            if item.status is not HistoryStatus.COMPLETED or not item.file_urls:
                raise NotImportableError(
                    f"{provider_id} is still processing at {provider}; import it once done"
                )
            return item
        if not page.items or number >= page.total_pages:
            break
    raise NotImportableError(f"no item {provider_id} in {provider}'s recent history")


def kind_of(url: str) -> Literal["video", "image"]:
    suffix = Path(urlsplit(url).path).suffix.lower()
    return "image" if suffix in IMAGE_SUFFIXES else "video"


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")[:80] or "item"


async def download_all(
    http: httpx.AsyncClient,
    item: HistoryItem,
    folder: Path,
    job_id: int,
    max_bytes: int,
    auth: DownloadAuth | None,
) -> list[Path]:
    """Each file of ``item`` into ``folder``; on any failure nothing stays behind. The names carry
    the job's id: a rerun of the job downloads over its own files, another job never touches them."""
    base = _safe_name(item.provider_id)
    several = len(item.file_urls) > 1
    paths: list[Path] = []
    try:
        for number, url in enumerate(item.file_urls, start=1):
            kind = kind_of(url)
            stem = f"{base}_{number}" if several else base
            dest = folder / f"{stem}-j{job_id}{'.png' if kind == 'image' else '.mp4'}"
            paths.append(
                await download_file(
                    http,
                    url,
                    dest,
                    kind=kind,
                    max_bytes=max_bytes,
                    auth_header=auth.for_url(url) if auth is not None else None,
                )
            )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _remove(paths, [])
        raise
    return paths


def describe_files(item: HistoryItem, paths: list[Path], posters: Path) -> list[dict[str, Any]]:
    """The outputs of an import: each file's library name, kind, size and poster (made here, as
    decoding a frame has no business inside the database transaction)."""
    stem = slug(item.prompt)
    outputs: list[dict[str, Any]] = []
    for number, path in enumerate(paths, start=1):
        image = path.suffix.lower() in IMAGE_SUFFIXES
        poster = None if image else make_poster(path, poster_path(posters, path))
        suffix = f"-{number}" if len(paths) > 1 else ""
        outputs.append(
            {
                "path": str(path),
                "name": f"{stem}{suffix}{path.suffix.lower()}",
                "kind": "image" if image else "video",
                "prompt": item.prompt,
                "size_bytes": path.stat().st_size,
                "poster": str(poster) if poster is not None else None,
            }
        )
    return outputs


async def _remove(paths: list[Path], posters: list[str | None]) -> None:
    for path in [*paths, *(Path(p) for p in posters if p)]:
        await anyio.Path(path).unlink(missing_ok=True)


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


register_kind(KIND, HistoryImport())
