"""A batch as the REST contract shows it (``docs/web-api.md``), read from its jobs.

Batch::

    {id, kind, provider, paused, aspect, source_name, rerun_of, created_at, updated_at, finished,
     counts: {state: n}, item_count, items: [item]}

``rerun_of``: the batch whose items this one re-runs on another provider (null for one started
from its file).

Item (the jobs of one batch line, grouped by ``item_key``; a pipeline item has two jobs, the image
and the video made from it)::

    {key, prompt, count, state, progress: {status, percent}, files: [{id, name, kind, url,
     poster_url}], error: {category, message, charged} | null, charged, sent, started_at, job_ids}

``charged``: the provider charged for some job of the item; ``sent``: a job of it is already with
a paid provider (cancelling the item answers 409 unless another of its jobs can still stop);
``started_at``: when the job the item shows started running.

``counts`` counts items by their state, decided by the one rule of ``studio/item_state.py`` that
``results.csv`` and ``failed.csv`` use too.

Every read is limited to one owner: another user's batch is :class:`NotFoundError`, exactly like
a batch that does not exist.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framecast.core.errors import NotFoundError
from framecast.db.models import Batch, Job
from framecast.jobs.control import was_sent
from framecast.jobs.states import JobState
from framecast.providers.base import Mode
from framecast.providers.registry import ProviderTraits
from framecast.studio.batch_input import CountColumn, read_batch_file
from framecast.studio.batch_rerun import rerun_of
from framecast.studio.batches import BatchKind, BatchPlan, PlannedItem, ended_badly
from framecast.studio.item_state import ACTIVE_ITEM_STATES, item_state
from framecast.web.batch_uploads import check_kind
from framecast.web.security.media_links import MediaLinks
from framecast.web.serializers import files_by_job, job_file_to_json, timestamp


@dataclass
class BatchItemJobs:
    """The jobs of one item, oldest (the pipeline's image step) first."""

    key: str
    jobs: list[Job] = field(default_factory=list)

    @property
    def state(self) -> JobState:
        return item_state([JobState(job.state) for job in self.jobs])

    @property
    def deciding_job(self) -> Job:
        state = self.state
        return next(job for job in self.jobs if job.state == state.value)


def owned_batch(session: Session, batch_id: int, owner_id: int | None) -> Batch:
    """The batch, if ``owner_id`` owns it (None: a signed media link, any owner); raises
    :class:`NotFoundError` otherwise."""
    batch = session.get(Batch, batch_id)
    if batch is None or (owner_id is not None and batch.owner_id != owner_id):
        raise NotFoundError(f"no batch {batch_id}")
    return batch


def batch_items(session: Session, batch_id: int) -> list[BatchItemJobs]:
    """The batch's items in file order (the order their jobs were created in)."""
    items: dict[str, BatchItemJobs] = {}
    for job in session.scalars(select(Job).where(Job.batch_id == batch_id).order_by(Job.id)):
        key = job.item_key or ""
        items.setdefault(key, BatchItemJobs(key)).jobs.append(job)
    return list(items.values())


def batch_to_json(
    session: Session,
    batch: Batch,
    *,
    with_items: bool = True,
    traits: ProviderTraits | None = None,
    links: MediaLinks,
) -> dict[str, Any]:
    """The batch (see the module docstring). With the provider's ``traits``, also ``provider_label``,
    ``paid``, and per item ``retry_credits``: what retrying its failed and cancelled jobs costs."""
    items = batch_items(session, batch.id)
    counts = Counter(item.state.value for item in items)
    answer = _summary(batch, counts, len(items))
    if traits is not None:
        answer["provider_label"] = traits.label or batch.provider
        answer["paid"] = traits.paid
    if with_items:
        succeeded = [job.id for item in items for job in item.jobs if job.state == JobState.SUCCEEDED]
        files = files_by_job(session, succeeded)
        answer["items"] = [_item_to_json(item, files, traits, links) for item in items]
    return answer


def list_batches(session: Session, owner_id: int, *, limit: int, offset: int) -> dict[str, Any]:
    """``{items: [batch without its items], total}``, newest first."""
    total = session.scalar(select(func.count()).select_from(Batch).where(Batch.owner_id == owner_id))
    batches = list(
        session.scalars(
            select(Batch)
            .where(Batch.owner_id == owner_id)
            .order_by(Batch.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    states: dict[int, dict[str, list[JobState]]] = {batch.id: {} for batch in batches}
    if batches:
        rows = session.execute(
            select(Job.batch_id, Job.item_key, Job.state).where(Job.batch_id.in_(list(states)))
        )
        for batch_id, key, state in rows:
            if batch_id is not None:
                states[batch_id].setdefault(key or "", []).append(JobState(state))
    summaries = []
    for batch in batches:
        items = states[batch.id]
        counts = Counter(item_state(jobs).value for jobs in items.values())
        summaries.append(_summary(batch, counts, len(items)))
    return {"items": summaries, "total": int(total or 0)}


def report_plan(batch: Batch) -> BatchPlan:
    """The batch's items again, read from its batch file, for ``results.csv`` and ``failed.csv``.

    Only the file is read (not the images: a report must not depend on them). Raises
    :class:`BatchInputError` when the file is gone or no longer valid.
    """
    kind: BatchKind = check_kind(batch.kind)
    column: CountColumn = "number_of_images" if kind == "broll-images" else "number_of_videos"
    source = read_batch_file(Path(batch.source_path), count_column=column)
    items = [PlannedItem(item, []) for item in source.items]
    return BatchPlan(kind=kind, source=source, items=items, out_dir=Path(batch.out_dir))


def _summary(batch: Batch, counts: Counter[str], item_count: int) -> dict[str, Any]:
    active = {s.value for s in ACTIVE_ITEM_STATES}
    return {
        "id": batch.id,
        "kind": batch.kind,
        "provider": batch.provider,
        "paused": batch.paused,
        "aspect": (batch.options or {}).get("aspect"),
        "source_name": Path(batch.source_path).name,
        "rerun_of": rerun_of(batch),
        "created_at": timestamp(batch.created_at),
        "updated_at": timestamp(batch.updated_at),
        "finished": item_count > 0 and not any(counts.get(state) for state in active),
        "counts": dict(counts),
        "item_count": item_count,
    }


def _item_to_json(
    item: BatchItemJobs, files: dict[int, list[Any]], traits: ProviderTraits | None, links: MediaLinks
) -> dict[str, Any]:
    first, last = item.jobs[0], item.jobs[-1]
    deciding = item.deciding_job
    bad = ended_badly(item.jobs)
    failed = bad if bad is not None and bad.error_message else None
    return {
        "key": item.key,
        "prompt": (first.request or {}).get("prompt", ""),
        "count": (last.request or {}).get("count"),
        "state": item.state.value,
        "progress": {"status": deciding.progress_status, "percent": deciding.progress_percent},
        "files": [job_file_to_json(row, links) for job in item.jobs for row in files.get(job.id, ())],
        "error": (
            {"category": failed.error_category, "message": failed.error_message, "charged": failed.charged}
            if failed
            else None
        ),
        "charged": any(job.charged for job in item.jobs),
        "sent": any(was_sent(job) and not JobState(job.state).is_terminal for job in item.jobs),
        "started_at": timestamp(deciding.started_at),
        "retry_credits": (
            sum(
                traits.credits_for(Mode(job.mode), int((job.request or {}).get("count") or 1))
                for job in item.jobs
                if job.state in (JobState.FAILED.value, JobState.CANCELLED.value)
            )
            if traits is not None
            else None
        ),
        "job_ids": [job.id for job in item.jobs],
    }
