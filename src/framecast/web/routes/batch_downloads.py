"""Downloads of a batch over REST: its finished files as ZIP parts (built by the zip job kind,
``studio/zip_kind.py``, never inside a request), ``results.csv`` and ``failed.csv``.

Every route answers only the caller's own batches (another user's id answers 404 like a missing
one); a ZIP part also answers a signed link with no login (``web/security/media_links.py``).
"""

from __future__ import annotations

from pathlib import Path

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from framecast.core.errors import JobStateError, NotFoundError
from framecast.studio.batches import BatchReport, write_report
from framecast.studio.kind_states import ShownState
from framecast.studio.zip_kind import ZipStatus, request_zip, zip_status
from framecast.web.batch_status import owned_batch, report_plan
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser, MediaOwner
from framecast.web.security.media_links import MediaLinks
from framecast.web.stored_media import stored_response

router = APIRouter(tags=["batches"])


def zip_part_path(batch_id: int, index: int) -> str:
    return f"/api/batches/{batch_id}/zip/{index}"


class ZipPartPublic(BaseModel):
    index: int  # from 1
    name: str
    url: str
    bytes: int


class ZipPublic(BaseModel):
    """Where a batch's ZIP stands. ``succeeded``: ``parts`` can be downloaded (``[]``: the batch
    has no finished files); ``queued`` / ``running``: ``job_id`` is building it, poll
    ``status_url``; ``failed``: ``error`` says why; ``none``: never prepared, or the batch's files
    changed since (prepare it again)."""

    state: ShownState
    job_id: int | None
    error: str | None
    status_url: str
    parts: list[ZipPartPublic]

    @classmethod
    def of(cls, batch_id: int, status: ZipStatus, links: MediaLinks) -> ZipPublic:
        return cls(
            state=status.state,
            job_id=status.job_id,
            error=status.error,
            status_url=f"/api/batches/{batch_id}/zip",
            parts=[
                ZipPartPublic(
                    index=part.index,
                    name=part.name,
                    url=links.url(zip_part_path(batch_id, part.index)),
                    bytes=part.size,
                )
                for part in status.parts
            ],
        )


@router.post(
    "/api/batches/{batch_id}/zip",
    status_code=202,
    responses={200: {"model": ZipPublic, "description": "the parts are built and current"}},
)
def prepare_zip(context: Ctx, user: CurrentUser, batch_id: int, response: Response) -> ZipPublic:
    """Ask for the batch's finished files as ZIP parts (at most 200 MB each).

    200 with ``parts`` when they are already built from the batch's current files; else 202: a
    build is queued (or the one already waiting or running is answered), poll ``status_url``.
    """
    with context.db.session() as session:
        status = request_zip(session, owned_batch(session, batch_id, user.id))
    if status.state == "succeeded":
        response.status_code = 200
    return ZipPublic.of(batch_id, status, context.media_links)


@router.get("/api/batches/{batch_id}/zip")
def get_zip(context: Ctx, user: CurrentUser, batch_id: int) -> ZipPublic:
    """The state of the batch's ZIP (see ``POST``); builds nothing."""
    with context.db.session() as session:
        status = zip_status(session, owned_batch(session, batch_id, user.id))
    return ZipPublic.of(batch_id, status, context.media_links)


@router.get("/api/batches/{batch_id}/zip/{index}")
async def download_zip_part(
    request: Request, context: Ctx, owner: MediaOwner, batch_id: int, index: int
) -> Response:
    """One built part; 409 while the ZIP is not built from the batch's current files (prepare it
    with ``POST /api/batches/{id}/zip``), 404 for a part it does not have. A signed link
    (``ZipPublic.parts[].url`` with a public address configured) needs no login."""

    def load() -> ZipStatus:
        with context.db.session() as session:
            return zip_status(session, owned_batch(session, batch_id, owner))

    status = await anyio.to_thread.run_sync(load)
    if status.state != "succeeded":
        raise JobStateError(_not_ready(batch_id, status))
    part = next((p for p in status.parts if p.index == index), None)
    if part is None:
        raise NotFoundError(f"batch {batch_id} has no zip part {index} (it has {len(status.parts)})")
    files, key = await context.locate(str(part.path))
    return await stored_response(
        request,
        files,
        key,
        media_type="application/zip",
        missing=f"zip part {index} of batch {batch_id} is no longer on disk",
        filename=part.name,
        download=True,
    )


@router.get("/api/batches/{batch_id}/results.csv")
def results_csv(context: Ctx, user: CurrentUser, batch_id: int) -> Response:
    """Every item with its status, files and error (the CLI's ``results.csv``)."""
    report = _report(context, batch_id, user.id)
    return _csv(report.results_csv, f"batch_{batch_id}_results.csv")


@router.get("/api/batches/{batch_id}/failed.csv")
def failed_csv(context: Ctx, user: CurrentUser, batch_id: int) -> Response:
    """The items that ended failed or cancelled (never one queued, running or being reconciled), as a
    batch file that can be uploaded again; 404 when there is none."""
    report = _report(context, batch_id, user.id)
    if report.failed_csv is None:
        raise NotFoundError(f"batch {batch_id} has no item that failed or was cancelled")
    return _csv(report.failed_csv, f"batch_{batch_id}_failed.csv")


def _not_ready(batch_id: int, status: ZipStatus) -> str:
    """Why a part of the batch's ZIP cannot be downloaded yet, and what to do."""
    if status.state in ("queued", "running"):
        return f"the ZIP of batch {batch_id} is still being prepared; download it once it is ready"
    if status.state == "failed":
        return f"the ZIP of batch {batch_id} could not be made: {status.error}; prepare it again"
    return f"the ZIP of batch {batch_id} is not built from its current files; prepare it first"


def _report(context: WebContext, batch_id: int, owner_id: int) -> BatchReport:
    with context.db.session() as session:
        plan = report_plan(owned_batch(session, batch_id, owner_id))
    return write_report(context.db, plan, batch_id)


def _csv(path: Path, name: str) -> Response:
    return Response(
        path.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
