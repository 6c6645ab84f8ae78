"""Jobs and library files as the JSON of the REST contract (``docs/web-api.md``).

Job::

    {id, state, provider, mode, prompt, aspect, count, options, batch_id, item_key,
     progress: {status, percent}, error: {category, message} | null, charged, charges, sent,
     files: [{id, name, kind, url, poster_url}], created_at, updated_at, started_at, finished_at}

``options``: the optional settings the request gave (``{"duration_seconds": 6, "seed": 7}``; see
``providers.base.OPTION_LABELS``), ``{}`` for none.

``charged``: the provider charged for this job's outcome (it succeeded on a paid provider, or the
provider accepted it and then failed it); ``charges``: how many times it was charged in all (a
retried charged failure counts again). ``sent``: the job is already with a paid provider, so a
cancel would answer 409 (it finishes and is charged).

File::

    {id, name, kind, prompt, provider, size_bytes, created_at, url, poster_url, job_id, batch_id}

``poster_url`` is a still JPEG of a video (null for images, or when none could be made). Both URLs
come from ``MediaLinks.url``: absolute and signed when a public address is configured.

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
from framecast.jobs.control import was_sent
from framecast.jobs.states import JobState
from framecast.providers.base import OPTION_LABELS
from framecast.web.security.media_links import MediaLinks


def content_path(file_id: int) -> str:
    return f"/files/{file_id}/content"


def poster_path(file_id: int) -> str:
    return f"/files/{file_id}/poster"


def _urls(row: MediaFile, links: MediaLinks) -> dict[str, str | None]:
    return {
        "url": links.url(content_path(row.id)),
        "poster_url": links.url(poster_path(row.id)) if row.poster_path else None,
    }


def timestamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def file_to_json(row: MediaFile, links: MediaLinks) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "prompt": row.prompt,
        "provider": row.provider,
        "size_bytes": row.size_bytes,
        "created_at": timestamp(row.created_at),
        **_urls(row, links),
        "job_id": row.job_id,
        "batch_id": row.batch_id,
    }


def job_file_to_json(row: MediaFile, links: MediaLinks) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, **_urls(row, links)}


def job_to_json(job: Job, links: MediaLinks, files: Sequence[MediaFile] = ()) -> dict[str, Any]:
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
        "options": {name: request[name] for name in OPTION_LABELS if request.get(name) is not None},
        "batch_id": job.batch_id,
        "item_key": job.item_key,
        "progress": {"status": job.progress_status, "percent": job.progress_percent},
        "error": error,
        "charged": bool(job.charged),
        "charges": int(job.charges or 0),
        "sent": was_sent(job) and not JobState(job.state).is_terminal,
        "files": [job_file_to_json(f, links) for f in files],
        "created_at": timestamp(job.created_at),
        "updated_at": timestamp(job.updated_at),
        "started_at": timestamp(job.started_at),
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


def jobs_to_json(session: Session, jobs: Sequence[Job], links: MediaLinks) -> list[dict[str, Any]]:
    """Each job with its files, reading the files of all of them in one query."""
    files = files_by_job(session, [job.id for job in jobs])
    return [job_to_json(job, links, files.get(job.id, ())) for job in jobs]
