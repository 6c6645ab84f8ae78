"""Batches over REST: preview an upload, start it, follow it, pause, cancel, retry, and
re-run it on another provider with the same ids (``studio/batch_rerun.py``).

A batch starts as a preview (``POST /api/batches/preview``): the TXT/CSV file and its images are
kept as an upload (``web/batch_uploads.py``) and parsed, and the answer shows the items and what
they cost against the quota. ``POST /api/batches`` with that ``upload_id`` creates the batch; its
files are written to ``<media_root>/<user id>/batches/<upload_id>/``. Creating it again from the
same upload resumes it (finished items are kept, failed ones retried), as the CLI does for a folder.

Every route answers only the caller's own batches and uploads; another user's id answers 404 exactly
like a missing one. The shapes are in ``web/batch_status.py`` and ``docs/web-api.md``; the ZIP and
CSV downloads are in ``batch_downloads.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select

from framecast.core.errors import (
    AlreadySentError,
    ConfigurationError,
    InvalidInputError,
    JobStateError,
    NotFoundError,
    ProviderError,
)
from framecast.db.accounts import User
from framecast.db.models import Batch, Job
from framecast.jobs.control import CancelReport
from framecast.jobs.states import JobState
from framecast.providers import registry
from framecast.providers.base import Aspect, Mode
from framecast.studio.batch_rerun import check_same_items, find_batch, open_rerun, plan_rerun
from framecast.studio.batches import (
    BatchKind,
    BatchPlan,
    PlannedItem,
    credits_needed,
    dollars_needed,
    finished_keys,
    open_batch,
)
from framecast.studio.pricing import number
from framecast.web.batch_status import (
    batch_items,
    batch_to_json,
    list_batches,
    owned_batch,
)
from framecast.web.batch_uploads import (
    BatchUpload,
    batch_out_dir,
    check_kind,
    load_batch_upload,
    store_batch_upload,
)
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.field_labels import field_error, label
from framecast.web.preferences import read_preferences
from framecast.web.provider_access import read_user_quota
from framecast.web.uploads import is_empty_upload

router = APIRouter(tags=["batches"])

MAX_PAGE = 200
# Which image fields each kind takes; anything else sent is refused rather than silently dropped.
KIND_FIELDS: dict[str, frozenset[str]] = {
    "aroll": frozenset({"frame"}),
    "broll-images": frozenset({"reference"}),
    "broll-footage": frozenset({"images"}),
    "pipeline": frozenset(),
}


class BatchCreate(BaseModel):
    upload_id: str = Field(min_length=1, max_length=100)
    force: bool = Field(default=False, description="start even when the quota looks too small")


# -- preview and create ---------------------------------------------------------------------------


@router.post("/api/batches/preview")
async def preview_batch(
    context: Ctx,
    user: CurrentUser,
    kind: Annotated[str, Form(description="aroll, broll-images, broll-footage or pipeline")],
    file: Annotated[UploadFile | None, File(description="the TXT or CSV batch file")] = None,
    frame: Annotated[UploadFile | None, File(description="aroll: the start frame")] = None,
    reference: Annotated[UploadFile | None, File(description="broll-images: optional reference")] = None,
    images: Annotated[
        list[UploadFile] | None, File(description="broll-footage: numbered images (1_x.jpg, 2.png)")
    ] = None,
    aspect: Annotated[str | None, Form(description="landscape or portrait (square: images)")] = None,
    provider: Annotated[str | None, Form(description="defaults to your preference")] = None,
) -> dict[str, Any]:
    """Keep and parse a batch; answers its items, the credits they need and the quota available.

    400 naming the field (``kind``, ``file``, ``frame``, ``images``, ``aspect``, ``provider``) or,
    for a problem inside the batch file, the file and line. ``quota`` is null when the provider
    reports none; ``{available: null}`` means unlimited (offline). When the quota cannot be read,
    ``quota`` and ``enough_quota`` are null and ``quota_error`` (else null) says why.
    """
    chosen_kind = check_kind(kind)
    sent = {
        name
        for name, present in (
            ("frame", not is_empty_upload(frame)),
            ("reference", not is_empty_upload(reference)),
            ("images", any(not is_empty_upload(image) for image in images or [])),
        )
        if present
    }
    unexpected = sorted(sent - KIND_FIELDS[chosen_kind])
    if unexpected:
        raise field_error(unexpected[0], f"a {chosen_kind} batch takes no {label(unexpected[0]).lower()}")
    chosen_aspect = _parse_aspect(aspect, context, user, chosen_kind)
    chosen_provider = _parse_provider(provider, context, user)
    upload, plan = await store_batch_upload(
        context,
        user.id,
        kind=chosen_kind,
        aspect=chosen_aspect,
        provider=chosen_provider,
        file=file,
        frame=frame,
        reference=reference,
        images=images or [],
    )
    answer: dict[str, Any] = {
        "upload_id": upload.upload_id,
        "kind": upload.kind,
        "provider": upload.provider,
        "aspect": upload.aspect.value,
        "source_name": upload.source_name,
        "items": [_planned_item_json(entry, upload) for entry in plan.items],
    }
    answer.update(await _cost_json(context, user.id, upload.provider, plan))
    return answer


@router.post("/api/batches", status_code=201)
async def create_batch(context: Ctx, user: CurrentUser, body: BatchCreate) -> dict[str, Any]:
    """Create (or resume) the batch of a previewed upload and queue its items.

    400 when the provider's available quota is below the credits the items still need, naming
    both numbers, unless ``force`` is true; 404 for an ``upload_id`` that is not the caller's.
    """
    upload = await anyio.to_thread.run_sync(load_batch_upload, context, user.id, body.upload_id)
    out_dir = batch_out_dir(context, user.id, upload.upload_id)
    plan = await anyio.to_thread.run_sync(upload.plan, out_dir)
    if not body.force:
        await _check_quota(context, user.id, upload.provider, plan)
    settings = context.settings

    def start() -> dict[str, Any]:
        out_dir.mkdir(parents=True, exist_ok=True)
        opened = open_batch(
            context.db,
            plan,
            provider=upload.provider,
            max_attempts=settings.jobs.max_attempts,
            owner_id=user.id,
        )
        return _batch_json(context, opened.batch_id, user.id)

    return await anyio.to_thread.run_sync(start)


# -- re-run on another provider -------------------------------------------------------------------


class BatchRerun(BaseModel):
    provider: str = Field(min_length=1, max_length=32, description="where to run the items now")
    force: bool = Field(default=False, description="start even when the quota looks too small")


class BatchRerunPreview(BaseModel):
    provider: str = Field(min_length=1, max_length=32, description="where to run the items now")


@router.post("/api/batches/{batch_id}/rerun/preview")
async def preview_rerun(
    context: Ctx, user: CurrentUser, batch_id: int, body: BatchRerunPreview
) -> dict[str, Any]:
    """What re-running the batch's items on ``provider`` (keeping their ids) would cost, in the
    provider's own unit; nothing is created or sent.

    ``{batch_id, provider, item_count, credits_needed, dollars_estimate, price_source, paid,
    provider_label, quota, enough_quota, quota_error}`` (``dollars_estimate`` null for a provider
    priced in credits). 400 naming ``provider`` for an unknown one or the batch's own (that is
    resuming it); 400 when the batch file or an image it used is gone or changed; 404 for
    another user's batch.
    """
    source, plan = await _rerun_plan(context, user, batch_id, body.provider)
    answer: dict[str, Any] = {
        "batch_id": source.id,
        "provider": body.provider,
        "item_count": len(plan.items),
    }
    answer.update(await _cost_json(context, user.id, body.provider, plan))
    return answer


@router.post("/api/batches/{batch_id}/rerun", status_code=201)
async def rerun_batch(context: Ctx, user: CurrentUser, batch_id: int, body: BatchRerun) -> dict[str, Any]:
    """Create the re-run of the batch on ``provider`` (or resume it) and queue its items: the same
    items under the same ids, written to a subfolder named after the provider; its ``rerun_of``
    is ``batch_id``. Answers the new batch.

    400 as for the preview, and when the quota is below what the items still need, naming both
    numbers, unless ``force`` is true.
    """
    source, plan = await _rerun_plan(context, user, batch_id, body.provider)
    if not body.force:
        await _check_quota(context, user.id, body.provider, plan)
    settings = context.settings

    def start() -> dict[str, Any]:
        plan.out_dir.mkdir(parents=True, exist_ok=True)
        opened = open_rerun(
            context.db,
            source,
            plan,
            provider=body.provider,
            max_attempts=settings.jobs.max_attempts,
            owner_id=user.id,
        )
        return _batch_json(context, opened.batch_id, user.id)

    return await anyio.to_thread.run_sync(start)


async def _rerun_plan(
    context: WebContext, user: User, batch_id: int, provider: str
) -> tuple[Batch, BatchPlan]:
    """The caller's batch and its items planned again for ``provider``, checked unchanged."""
    known = registry.provider_names()
    if provider not in known:
        raise field_error("provider", f"unknown provider {provider!r}; use one of {', '.join(known)}")

    def plan() -> tuple[Batch, BatchPlan]:
        source = find_batch(context.db, batch_id, owner_id=user.id)
        if provider == source.provider:
            raise field_error(
                "provider",
                f"batch {batch_id} already ran on {_label(context, provider)}; running it again "
                "there is resuming it (Retry or Resume on its page). Choose another provider",
            )
        planned = plan_rerun(source, provider)
        check_same_items(context.db, source, planned)
        return source, planned

    return await anyio.to_thread.run_sync(plan)


# -- reading --------------------------------------------------------------------------------------


@router.get("/api/batches")
def get_batches(
    context: Ctx,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """``{items: [batch without its items], total}``, newest first."""
    with context.db.session() as session:
        return list_batches(session, user.id, limit=limit, offset=offset)


@router.get("/api/batches/{batch_id}")
def get_batch(context: Ctx, user: CurrentUser, batch_id: int) -> dict[str, Any]:
    return _batch_json(context, batch_id, user.id)


# -- actions --------------------------------------------------------------------------------------


@router.post("/api/batches/{batch_id}/pause")
def pause_batch(context: Ctx, user: CurrentUser, batch_id: int) -> dict[str, Any]:
    """Hold the batch's waiting jobs; running ones finish."""
    context.job_control().set_batch_paused(batch_id, True, owner_id=user.id)
    return _batch_json(context, batch_id, user.id)


@router.post("/api/batches/{batch_id}/resume")
def resume_batch(context: Ctx, user: CurrentUser, batch_id: int) -> dict[str, Any]:
    context.job_control().set_batch_paused(batch_id, False, owner_id=user.id)
    return _batch_json(context, batch_id, user.id)


@router.post("/api/batches/{batch_id}/cancel")
def cancel_batch(context: Ctx, user: CurrentUser, batch_id: int) -> dict[str, Any]:
    """Cancel every item not yet sent; items already with a paid provider finish (and are charged).

    Answers the batch with ``cancel: {cancelled, already_sent, message}`` counting items.
    """
    with context.db.session() as session:
        owned_batch(session, batch_id, user.id)
        items = [[job.id for job in item.jobs] for item in batch_items(session, batch_id)]
    control = context.job_control()
    reports = [control.cancel_many(job_ids, owner_id=user.id) for job_ids in items]
    answer = _batch_json(context, batch_id, user.id)
    answer["cancel"] = _cancel_summary(context, answer["provider"], reports)
    return answer


@router.post("/api/batches/{batch_id}/items/{key:path}/cancel")
def cancel_item(context: Ctx, user: CurrentUser, batch_id: int, key: str) -> dict[str, Any]:
    """Cancel one item's jobs that are not yet sent (a pipeline's video waiting for its image too).

    404 for an unknown item; 409 when the item is already with a paid provider (it will finish and
    be charged; its result is kept) or has already ended.
    """
    with context.db.session() as session:
        batch = owned_batch(session, batch_id, user.id)
        provider = batch.provider
        item = next((i for i in batch_items(session, batch_id) if i.key == key), None)
        if item is None:
            raise NotFoundError(f"batch {batch_id} has no item {key!r}")
        job_ids = [job.id for job in item.jobs]
    report = context.job_control().cancel_many(job_ids, owner_id=user.id)
    if not report.cancelled:
        if report.already_sent:
            raise AlreadySentError(
                f"Item {key} was already sent to {_label(context, provider)}, so it cannot be "
                "cancelled: it will finish and be charged, and its result will be kept."
            )
        raise JobStateError(f"Item {key} has already finished; there is nothing to cancel.")
    answer = _batch_json(context, batch_id, user.id)
    answer["cancel"] = _cancel_summary(context, provider, [report])
    return answer


@router.post("/api/batches/{batch_id}/items/{key:path}/retry")
def retry_item(context: Ctx, user: CurrentUser, batch_id: int, key: str) -> dict[str, Any]:
    """Queue the item's failed and cancelled jobs again (a pipeline's image step first).

    404 for an unknown item; 409 when none of its jobs failed or was cancelled.
    """
    control = context.job_control()
    with context.db.session() as session:
        owned_batch(session, batch_id, user.id)
        item = next((i for i in batch_items(session, batch_id) if i.key == key), None)
        if item is None:
            raise NotFoundError(f"batch {batch_id} has no item {key!r}")
        job_ids = [job.id for job in item.jobs]
    retried = 0
    ended = (JobState.FAILED.value, JobState.CANCELLED.value)
    for job_id in job_ids:
        with context.db.session() as session:
            state = session.scalar(select(Job.state).where(Job.id == job_id))
        # Retrying a pipeline video re-queues its failed image too, so states are read afresh.
        if state in ended:
            control.retry(job_id, owner_id=user.id)
            retried += 1
    if not retried:
        raise JobStateError(f"item {key!r} has nothing to retry: none of its jobs failed or was cancelled")
    # A retried job of a paused batch waits with the others: the retry itself leaves it PAUSED.
    return _batch_json(context, batch_id, user.id)


# -- helpers --------------------------------------------------------------------------------------


def _batch_json(context: WebContext, batch_id: int, owner_id: int) -> dict[str, Any]:
    with context.db.session() as session:
        batch = owned_batch(session, batch_id, owner_id)
        return batch_to_json(
            session, batch, traits=_traits(context, batch.provider), links=context.media_links
        )


def _traits(context: WebContext, provider: str) -> registry.ProviderTraits | None:
    """The batch provider's traits; None for a provider no longer installed."""
    if provider not in registry.provider_names():
        return None
    return registry.traits(provider, context.settings)


def _cancel_summary(context: WebContext, provider: str, reports: list[CancelReport]) -> dict[str, Any]:
    """``{cancelled, already_sent, message}``: items stopped and items already with the provider
    (one report per item), and the sentence the page shows."""
    sent = sum(1 for report in reports if report.already_sent)
    cancelled = sum(1 for report in reports if report.cancelled and not report.already_sent)
    message = f"Stopped {cancelled} item{'' if cancelled == 1 else 's'}."
    if sent:
        label = _label(context, provider)
        message += (
            f" 1 item was already sent to {label}: it will finish and be charged, and its result "
            "will be kept."
            if sent == 1
            else f" {sent} items were already sent to {label}: they will finish and be charged, "
            "and their results will be kept."
        )
    return {"cancelled": cancelled, "already_sent": sent, "message": message}


def _label(context: WebContext, provider: str) -> str:
    return registry.label(provider, context.settings)


def _planned_item_json(entry: PlannedItem, upload: BatchUpload) -> dict[str, Any]:
    last = entry.steps[-1].request
    if upload.kind == "broll-images":
        image = upload.reference.name if upload.reference else None
    else:
        start = last.start_image if last.mode is Mode.FRAMES else None
        image = start.name if start is not None else None
    return {
        "key": entry.item.key,
        "prompt": entry.item.prompt,
        "count": last.count,
        "line": entry.item.line,
        "image": image,
    }


def _parse_aspect(value: str | None, context: WebContext, user: User, kind: BatchKind) -> Aspect:
    if value is None or not value.strip():
        return Aspect(read_preferences(user.preferences, context.settings).aspect)
    aspect = Aspect.parse(value)
    if aspect is Aspect.SQUARE and kind != "broll-images":
        raise field_error("aspect", "video can be landscape or portrait, not square")
    return aspect


def _parse_provider(value: str | None, context: WebContext, user: User) -> str:
    name = (value or "").strip() or read_preferences(user.preferences, context.settings).default_provider
    known = registry.provider_names()
    if name not in known:
        raise field_error("provider", f"unknown provider {name!r}; use one of {', '.join(known)}")
    return name


async def _check_quota(context: WebContext, owner_id: int, provider: str, plan: BatchPlan) -> None:
    """Refuse a batch whose remaining items need more credits than the provider has available."""
    done = await anyio.to_thread.run_sync(lambda: finished_keys(context.db, plan, owner_id=owner_id))
    need = credits_needed(plan, registry.traits(provider, context.settings), skip_keys=done)
    if need == 0:
        return
    quota = await read_user_quota(context, owner_id, provider)
    if quota is not None and quota.available is not None and quota.available < need:
        raise InvalidInputError(
            f"this batch needs up to {number(need)} credits but {_label(context, provider)} "
            f"has {number(quota.available)} available; add credits, or start it anyway"
        )


async def _cost_json(context: WebContext, owner_id: int, provider: str, plan: BatchPlan) -> dict[str, Any]:
    """What the plan's items cost on ``provider`` in its own unit, against the balance now:
    ``{credits_needed, dollars_estimate, price_source, paid, provider_label, quota, enough_quota,
    quota_error}`` (see :func:`preview_batch`)."""
    traits = registry.traits(provider, context.settings)
    need = credits_needed(plan, traits)
    answer: dict[str, Any] = {
        "credits_needed": need,
        "dollars_estimate": dollars_needed(plan, traits),
        "price_source": traits.price_source or None,
        "paid": traits.paid,
        "provider_label": traits.label,
        "quota": None,
        "enough_quota": True,
        "quota_error": None,
    }
    try:
        quota = await read_user_quota(context, owner_id, provider)
    except (ProviderError, ConfigurationError) as exc:
        answer.update(quota=None, enough_quota=None, quota_error=str(exc))
        return answer
    if quota is not None:
        answer["quota"] = {"available": quota.available}
        answer["enough_quota"] = quota.available is None or quota.available >= need
    return answer
