"""A batch as the REST contract shows it (``docs/web-api.md``), read from its jobs.

Batch::

    {id, kind, provider, paused, aspect, source_name, created_at, updated_at, finished,
     counts: {state: n}, item_count, items: [item]}

Item (the jobs of one batch line, grouped by ``item_key``; a pipeline item has two jobs, the image
and the video made from it)::

    {key, prompt, count, state, progress: {status, percent}, files: [{id, name, kind, url}],
     error: {category, message} | null, job_ids}

``counts`` counts items by their state. An item's state is its most telling job's: a job still
working (running, reconciling, queued, blocked, paused) wins over one that ended, a failure over a
cancellation, and the item is ``succeeded`` only when all its jobs are.

Every read is limited to one owner: another user's batch is :class:`NotFoundError`, exactly like
a batch that does not exist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framecast.core.errors import NotFoundError
from framecast.db.models import Batch, Job
from framecast.jobs.states import JobState
from framecast.studio.batch_input import CountColumn, read_batch_file
from framecast.studio.batches import BatchKind, BatchPlan, PlannedItem
from framecast.web.batch_uploads import check_kind
from framecast.web.serializers import files_by_job, job_file_to_json, timestamp

# Which job decides an item's state, most telling first.
STATE_ORDER = (
    JobState.RUNNING,
    JobState.RECONCILING,
    JobState.QUEUED,
    JobState.BLOCKED,
    JobState.PAUSED,
    JobState.FAILED,
    JobState.CANCELLED,
    JobState.SUCCEEDED,
)


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


def item_state(states: Sequence[JobState]) -> JobState:
    """The state an item with jobs in ``states`` shows (see the module docstring)."""
    present = set(states)
    return next((state for state in STATE_ORDER if state in present), JobState.QUEUED)


def owned_batch(session: Session, batch_id: int, owner_id: int) -> Batch:
    """The batch, if ``owner_id`` owns it; raises :class:`NotFoundError` otherwise."""
    batch = session.get(Batch, batch_id)
    if batch is None or batch.owner_id != owner_id:
        raise NotFoundError(f"no batch {batch_id}")
    return batch


def batch_items(session: Session, batch_id: int) -> list[BatchItemJobs]:
    """The batch's items in file order (the order their jobs were created in)."""
    items: dict[str, BatchItemJobs] = {}
    for job in session.scalars(select(Job).where(Job.batch_id == batch_id).order_by(Job.id)):
        key = job.item_key or ""
        items.setdefault(key, BatchItemJobs(key)).jobs.append(job)
    return list(items.values())


def batch_to_json(session: Session, batch: Batch, *, with_items: bool = True) -> dict[str, Any]:
    items = batch_items(session, batch.id)
    counts = Counter(item.state.value for item in items)
    answer = _summary(batch, counts, len(items))
    if with_items:
        succeeded = [job.id for item in items for job in item.jobs if job.state == JobState.SUCCEEDED]
        files = files_by_job(session, succeeded)
        answer["items"] = [_item_to_json(item, files) for item in items]
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


def succeeded_files(session: Session, batch: Batch) -> list[Path]:
    """The files of the batch's succeeded jobs that are still on disk inside its folder, item by item."""
    root = Path(batch.out_dir).resolve()
    found: list[Path] = []
    for item in batch_items(session, batch.id):
        for job in item.jobs:
            if job.state != JobState.SUCCEEDED:
                continue
            for output in job.outputs or []:
                raw = output.get("path")
                if not raw:
                    continue
                path = Path(raw).resolve()
                # Only what the batch itself wrote: an output path is data, not a licence to read anywhere.
                if path.is_relative_to(root) and path.is_file() and path not in found:
                    found.append(path)
    return found


def _summary(batch: Batch, counts: Counter[str], item_count: int) -> dict[str, Any]:
    active = {s.value for s in STATE_ORDER[:5]}
    return {
        "id": batch.id,
        "kind": batch.kind,
        "provider": batch.provider,
        "paused": batch.paused,
        "aspect": (batch.options or {}).get("aspect"),
        "source_name": Path(batch.source_path).name,
        "created_at": timestamp(batch.created_at),
        "updated_at": timestamp(batch.updated_at),
        "finished": item_count > 0 and not any(counts.get(state) for state in active),
        "counts": dict(counts),
        "item_count": item_count,
    }


def _item_to_json(item: BatchItemJobs, files: dict[int, list[Any]]) -> dict[str, Any]:
    first, last = item.jobs[0], item.jobs[-1]
    deciding = item.deciding_job
    failed = next(
        (
            job
            for job in item.jobs
            if job.state in (JobState.FAILED, JobState.CANCELLED) and job.error_message
        ),
        None,
    )
    return {
        "key": item.key,
        "prompt": (first.request or {}).get("prompt", ""),
        "count": (last.request or {}).get("count"),
        "state": item.state.value,
        "progress": {"status": deciding.progress_status, "percent": deciding.progress_percent},
        "files": [job_file_to_json(row) for job in item.jobs for row in files.get(job.id, ())],
        "error": {"category": failed.error_category, "message": failed.error_message} if failed else None,
        "job_ids": [job.id for job in item.jobs],
    }
