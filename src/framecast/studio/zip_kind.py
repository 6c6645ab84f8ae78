"""The job kind ``studio.zip``: pack a batch's finished files into ZIP parts
(:mod:`framecast.studio.batch_zips`). Registered with the queue when this module is imported.

A request for a batch's ZIP (:func:`request_zip`) answers the parts at once when they are built and
still match the batch's files; otherwise it queues a job of this kind, or answers the one already
waiting or running for that batch. The job's ``request`` is ``{batch_id, max_part_bytes}``; its
``outputs`` are the parts ``[{index, name, path, bytes}]``.

Nothing is paid for and nothing is sent anywhere, so a job cut short (a worker that stops or dies
mid-build) is simply built again: each part and the ``parts.json`` that vouches for them are
replaced atomically, and parts a half-done build left are overwritten or removed by the next one.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.core.files import DISK_FULL_MESSAGE, is_disk_full
from framecast.db.models import Batch, Job
from framecast.jobs.journal import backoff_delay
from framecast.jobs.kinds import KindContext, register_kind
from framecast.jobs.repository import ClaimedJob
from framecast.jobs.states import JobState
from framecast.studio import batch_zips
from framecast.studio.batch_zips import ZipPart, built_parts, finished_files, zip_parts
from framecast.studio.kind_states import ShownState, shown_error, shown_state

log = logging.getLogger(__name__)

KIND = "studio.zip"
# The ``mode`` and ``provider`` columns of this kind's jobs: no provider takes part.
MODE = "zip"
PROVIDER = "local"
# A build that keeps failing (files vanishing under it, a folder it cannot write) stops here.
ATTEMPTS = 3
# How many of an owner's newest ZIP jobs are searched for the one of a batch.
RECENT_JOBS = 200


class _BatchGoneError(Exception):
    """The batch was deleted (or changed hands) after the job was queued."""


@dataclass(frozen=True)
class ZipStatus:
    """Where a batch's ZIP stands: ``succeeded`` with its ``parts`` (``[]``: no finished files),
    ``queued`` / ``running`` (``job_id`` is the build), ``failed`` (``error`` in the user's words),
    or ``none`` (never asked for, or the batch's files changed since it was built)."""

    state: ShownState
    job_id: int | None
    error: str | None
    parts: list[ZipPart]


def zip_status(session: Session, batch: Batch) -> ZipStatus:
    """The state of ``batch``'s ZIP, building nothing. Raises :class:`OSError` when a file of the
    batch cannot be read."""
    job = _latest_job(session, batch)
    limit = _limit_of(job) if job is not None else batch_zips.MAX_PART_BYTES
    parts = built_parts(Path(batch.out_dir), finished_files(session, batch), max_part_bytes=limit)
    if parts is not None:
        return ZipStatus("succeeded", job.id if job is not None else None, None, parts)
    if job is None:
        return ZipStatus("none", None, None, [])
    state = JobState(job.state)
    shown = shown_state(state)
    if shown == "succeeded":
        # Built, but the batch's files changed since: it must be built again.
        return ZipStatus("none", job.id, None, [])
    return ZipStatus(shown, job.id, shown_error(state, job.error_message), [])


def request_zip(session: Session, batch: Batch, *, max_attempts: int = ATTEMPTS) -> ZipStatus:
    """The parts when they are built and current; else the build of ``batch``'s ZIP already
    waiting or running, else a new one queued in the caller's transaction (owned by the batch's
    owner). Raises :class:`OSError` when a file of the batch cannot be read."""
    limit = batch_zips.MAX_PART_BYTES
    parts = built_parts(Path(batch.out_dir), finished_files(session, batch), max_part_bytes=limit)
    if parts is not None:
        return ZipStatus("succeeded", None, None, parts)
    job = _latest_job(session, batch)
    if job is not None and not JobState(job.state).is_terminal and _limit_of(job) == limit:
        return ZipStatus(shown_state(JobState(job.state)), job.id, None, [])
    job = Job(
        kind=KIND,
        owner_id=batch.owner_id,
        provider=PROVIDER,
        mode=MODE,
        request={"batch_id": batch.id, "max_part_bytes": limit},
        state=JobState.QUEUED.value,
        max_attempts=max(1, max_attempts),
        provider_ids=[],
        outputs=[],
    )
    session.add(job)
    session.flush()
    return ZipStatus("queued", job.id, None, [])


def _latest_job(session: Session, batch: Batch) -> Job | None:
    """The newest ZIP job of ``batch`` (the batch id is in the request, so the owner's newest
    jobs of this kind are searched: the batch's own ``batch_id`` column counts its items)."""
    query = (
        select(Job)
        .where(Job.kind == KIND, Job.owner_id == batch.owner_id)
        .order_by(Job.id.desc())
        .limit(RECENT_JOBS)
    )
    return next((job for job in session.scalars(query) if job.request.get("batch_id") == batch.id), None)


def _limit_of(job: Job) -> int:
    return int(job.request.get("max_part_bytes") or batch_zips.MAX_PART_BYTES)


class ZipBuild:
    """The handler of ``studio.zip``: disk and CPU work, one build at a time per worker."""

    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = 1

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        try:
            parts = await anyio.to_thread.run_sync(self._build, context, claimed)
        except _BatchGoneError as exc:
            await _call(context.repo.fail, claimed.id, context.worker_id, category="gone", message=str(exc))
            return
        except ValueError as exc:
            # Two finished files with one name: the archive could not hold both.
            await _call(
                context.repo.fail, claimed.id, context.worker_id, category="invalid_input", message=str(exc)
            )
            return
        except OSError as exc:
            await self._os_error(claimed, context, exc)
            return
        outputs = [
            {"index": part.index, "name": part.name, "path": str(part.path), "bytes": part.size}
            for part in parts
        ]
        await _call(context.succeed, claimed.id, outputs)

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        """Nothing was paid for: a build that was cut short is built again."""
        await self.run(claimed, context)

    # The parts and ``parts.json`` are on disk already: nothing else to record.
    on_success = None

    @staticmethod
    def _build(context: KindContext, claimed: ClaimedJob) -> list[ZipPart]:
        batch_id = int(claimed.request["batch_id"])
        with context.repo.db.session() as session:
            batch = session.get(Batch, batch_id)
            if batch is None or batch.owner_id != claimed.owner_id:
                raise _BatchGoneError(f"batch {batch_id} no longer exists; there is nothing to zip")
            out_dir = Path(batch.out_dir)
            files = finished_files(session, batch)
        context.repo.set_progress(claimed.id, f"packing {len(files)} files", None)
        return zip_parts(batch_id, out_dir, files, max_part_bytes=int(claimed.request["max_part_bytes"]))

    @staticmethod
    async def _os_error(claimed: ClaimedJob, context: KindContext, exc: OSError) -> None:
        if is_disk_full(exc):
            await _call(
                context.repo.fail,
                claimed.id,
                context.worker_id,
                category="disk_full",
                message=DISK_FULL_MESSAGE,
            )
            return
        # A file deleted or replaced while it was packed: the next try reads the batch afresh.
        # The exception's own text names server paths: it goes to the log only.
        log.warning("job %s: the ZIP could not be built: %s", claimed.id, exc)
        reason = (
            "a file of the batch changed while it was being packed"
            if isinstance(exc, FileNotFoundError)
            else f"the ZIP could not be written ({exc.strerror or type(exc).__name__})"
        )
        jobs = context.settings.jobs
        await _call(
            context.repo.requeue,
            claimed.id,
            context.worker_id,
            delay_s=backoff_delay(claimed.attempts + 1, jobs.backoff_base_s, jobs.backoff_max_s),
            category="server",
            message=reason,
        )


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


register_kind(KIND, ZipBuild())
