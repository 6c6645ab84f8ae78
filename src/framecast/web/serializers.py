"""Jobs and library files as the JSON of the REST contract (``docs/web-api.md``).

Job::

    {id, state, provider, mode, prompt, aspect, count, batch_id, item_key,
     progress: {status, percent}, error: {category, message} | null,
     files: [{id, name, kind, url}], created_at, updated_at, finished_at}

File::

    {id, name, kind, prompt, provider, size_bytes, created_at, url, job_id, batch_id}

A job's ``files`` are the library rows the engine added when it succeeded (``db/library.py``);
a file deleted from the library disappears from its job too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.db.library import MediaFile
from framecast.db.models import Job


def content_url(file_id: int) -> str:
    return f"/files/{file_id}/content"


def timestamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def file_to_json(row: MediaFile) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "prompt": row.prompt,
        "provider": row.provider,
        "size_bytes": row.size_bytes,
        "created_at": timestamp(row.created_at),
        "url": content_url(row.id),
        "job_id": row.job_id,
        "batch_id": row.batch_id,
    }


def job_file_to_json(row: MediaFile) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "url": content_url(row.id)}


def job_to_json(job: Job, files: Sequence[MediaFile] = ()) -> dict[str, Any]:
    request = job.request or {}
    error = (
        {"category": job.error_category, "message": job.error_message}
        if job.error_message or job.error_category
        else None
    )
    return {
        "id": job.id,
        "state": job.state,
        "provider": job.provider,
        "mode": job.mode,
        "prompt": request.get("prompt", ""),
        "aspect": request.get("aspect"),
        "count": request.get("count"),
        "batch_id": job.batch_id,
        "item_key": job.item_key,
        "progress": {"status": job.progress_status, "percent": job.progress_percent},
        "error": error,
        "files": [job_file_to_json(f) for f in files],
        "created_at": timestamp(job.created_at),
        "updated_at": timestamp(job.updated_at),
        "finished_at": timestamp(job.finished_at),
    }


def files_by_job(session: Session, job_ids: Sequence[int]) -> dict[int, list[MediaFile]]:
    """The library rows of each job, in one query."""
    found: dict[int, list[MediaFile]] = defaultdict(list)
    if not job_ids:
        return found
    rows = session.scalars(
        select(MediaFile).where(MediaFile.job_id.in_(list(job_ids))).order_by(MediaFile.id)
    )
    for row in rows:
        if row.job_id is not None:
            found[row.job_id].append(row)
    return found


def jobs_to_json(session: Session, jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Each job with its files, reading the files of all of them in one query."""
    files = files_by_job(session, [job.id for job in jobs])
    return [job_to_json(job, files.get(job.id, ())) for job in jobs]
