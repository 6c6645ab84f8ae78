"""What the provider says: quota and balance, what an action costs, generation history, and
importing history items into the library (a job of the kind ``studio.history_import``: the
request queues it and answers 202, the download happens in a worker).

Calls run with the caller's own stored key for the provider, else the platform key from settings
(``web/provider_access.py``). Without ``provider``, quota and history use the caller's default
provider, or the first paid one when that default is free (the offline renderer keeps no history
and has no quota).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from framecast.core.errors import (
    ConfigurationError,
    NotFoundError,
    ProviderError,
)
from framecast.db.accounts import User
from framecast.db.models import Job
from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.providers import registry
from framecast.providers.base import (
    MAX_COUNT,
    MAX_DURATION_S,
    MIN_DURATION_S,
    RESOLUTIONS,
    GenerationHistory,
    HistoryItem,
    Mode,
)
from framecast.studio.history_import_kind import KIND as IMPORT_KIND
from framecast.studio.history_import_kind import (
    SCAN_PAGE_SIZE,
    SCAN_PAGES,
    imported_rows,
    library_rows,
    queue_import,
)
from framecast.studio.kind_states import ShownState, shown_error, shown_state
from framecast.studio.pricing import Quote, dollar_quote, make_quote
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.field_labels import field_error
from framecast.web.provider_access import KeySource, key_source, user_bundle
from framecast.web.routes.jobs import preferred_provider
from framecast.web.security.media_links import MediaLinks
from framecast.web.serializers import file_to_json

router = APIRouter(tags=["provider"])


class HistoryImport(BaseModel):
    provider: str | None = None
    provider_id: str = Field(min_length=1, max_length=200)


class BalancePublic(BaseModel):
    """The header's balance chip: the user's preferred provider's credits."""

    provider: str
    label: str
    # False for a free provider: there is no balance, and the chip is hidden.
    paid: bool
    # "USD": the vendor bills dollars and has no balance to read (every figure below is null).
    unit: Literal["credits", "USD"]
    # Whose key reads it: the user's own, the platform's, or none (then ``error`` says what to do).
    key: KeySource | None
    available: int | None
    used: int | None
    total: int | None
    # Why the balance could not be read (a wrong key, the service down); null when it was.
    error: str | None


class QuotePublic(BaseModel):
    """What one action costs on a provider and what would be left: "4 credits · 996 left"; for a
    provider billed in dollars, an estimate instead: "about $3.20 (estimate, price table of
    2026-12-03)", with no balance (``available``, ``left`` and ``enough`` null)."""

    provider: str
    label: str
    paid: bool
    # What the cost is counted in: "credits" (``credits``) or "USD" (``estimate``).
    unit: Literal["credits", "USD"]
    credits: int
    # US dollars, from the provider's price table; null in credits, or for a model it does not list.
    estimate: float | None
    # Where the price table comes from and the day it was read ("" in credits).
    price_source: str
    price_date: str
    available: int | None
    left: int | None
    # False: the balance is short; null: it could not be read (``error`` says why).
    enough: bool | None
    error: str | None
    text: str

    @classmethod
    def of(cls, quote: Quote) -> QuotePublic:
        return cls(
            provider=quote.provider,
            label=quote.label,
            paid=quote.paid,
            unit="USD" if quote.unit == "USD" else "credits",
            credits=quote.credits,
            estimate=quote.estimate,
            price_source=quote.price_source,
            price_date=quote.price_date,
            available=quote.available,
            left=quote.left,
            enough=quote.enough,
            error=quote.error,
            text=quote.sentence(),
        )


@router.get("/api/balance")
async def balance(context: Ctx, user: CurrentUser, provider: str | None = None) -> BalancePublic:
    """The balance of ``provider`` (default: the caller's preferred provider) for the header chip.

    Never a provider error: one that cannot be read answers 200 with ``error`` set.
    """
    name = (provider or "").strip() or preferred_provider(context, user)
    traits = _known(context, name)
    answer = BalancePublic(
        provider=name,
        label=traits.label or name,
        paid=traits.paid,
        unit=traits.unit,
        key=None,
        available=None,
        used=None,
        total=None,
        error=None,
    )
    if not traits.paid or traits.unit == "USD":
        # Free, or billed in dollars by a vendor with no balance to read: nothing to claim.
        return answer
    try:
        answer.key = await anyio.to_thread.run_sync(key_source, context, user.id, name)
        if answer.key == "none":
            answer.error = f"no {answer.label} key: add yours under Settings"
            return answer
        async with user_bundle(context, user.id, name) as bundle:
            if bundle.quota is None:
                answer.error = f"{answer.label} reports no balance"
                return answer
            result = await bundle.quota.read_quota()
    except (ProviderError, ConfigurationError) as exc:
        answer.error = str(exc)
        return answer
    answer.available, answer.used, answer.total = result.available, result.used, result.total
    if await anyio.to_thread.run_sync(_shared_view, context, user, name) is not None:
        # The platform's account is shared: what others spent is theirs to know, not this user's.
        answer.used = await anyio.to_thread.run_sync(_credits_spent, context, user.id, name)
        answer.total = None
    return answer


@router.get("/api/quote")
async def quote(
    context: Ctx,
    user: CurrentUser,
    mode: Annotated[str, Query(description="text, frames, ingredients or image")],
    count: Annotated[int, Query(ge=1, le=MAX_COUNT)] = 1,
    provider: str | None = None,
    duration: Annotated[
        int | None,
        Query(ge=MIN_DURATION_S, le=MAX_DURATION_S, description="seconds per video, for a dollar estimate"),
    ] = None,
    resolution: Annotated[
        str | None, Query(description="720p, 1080p or 4k, for a dollar estimate (default: the provider's)")
    ] = None,
) -> QuotePublic:
    """What ``count`` videos (or images) in ``mode`` cost on ``provider`` (default: the caller's
    preferred one), against the balance read now. A balance that cannot be read gives ``enough``
    null and ``error``; a free provider costs 0. A provider billed in dollars answers its price
    table's estimate (``duration`` seconds per video, else its default length) and reads no
    balance."""
    chosen_resolution = (resolution or "").strip().lower() or None
    if chosen_resolution is not None and chosen_resolution not in RESOLUTIONS:
        known = ", ".join(RESOLUTIONS)
        raise field_error("resolution", f"unknown resolution {resolution!r}; use one of {known}")
    name = (provider or "").strip() or preferred_provider(context, user)
    traits = _known(context, name)
    try:
        chosen = Mode(mode.strip().lower())
    except ValueError:
        names = ", ".join(m.value for m in Mode)
        raise field_error("mode", f"unknown mode {mode!r}; use one of {names}") from None
    if traits.paid and traits.unit == "USD":
        estimate = traits.dollars_for(chosen, count, duration, chosen_resolution)
        return QuotePublic.of(dollar_quote(name, traits, estimate))
    credits = traits.credits_for(chosen, count)
    if not traits.paid:
        return QuotePublic.of(make_quote(name, traits, credits, None))
    try:
        async with user_bundle(context, user.id, name) as bundle:
            if bundle.quota is None:
                return QuotePublic.of(make_quote(name, traits, credits, None, error="no balance"))
            result = await bundle.quota.read_quota()
    except (ProviderError, ConfigurationError) as exc:
        return QuotePublic.of(make_quote(name, traits, credits, None, error=str(exc)))
    return QuotePublic.of(make_quote(name, traits, credits, result))


@router.get("/api/quota")
async def quota(context: Ctx, user: CurrentUser, provider: str | None = None) -> dict[str, Any]:
    """``{provider, available, used, total, scope}``; ``available`` null means unlimited (offline).

    On the platform's key (shared by every user without a key of their own) a user who is not an
    administrator sees what is available, but ``used`` is only what their own jobs were charged and
    ``total`` is null (``scope: "own"``); their own key, or an administrator, sees it all (``"all"``).
    """
    name = _provider_name(context, user, provider)
    shared = await anyio.to_thread.run_sync(_shared_view, context, user, name)
    async with user_bundle(context, user.id, name) as bundle:
        if bundle.quota is None:
            raise ConfigurationError(f"{name} reports no quota")
        result = await bundle.quota.read_quota()
    used, total = result.used, result.total
    if shared is not None:
        used, total = await anyio.to_thread.run_sync(_credits_spent, context, user.id, name), None
    scope = "all" if shared is None else "own"
    return {"provider": name, "available": result.available, "used": used, "total": total, "scope": scope}


@router.get("/api/history")
async def history(
    context: Ctx,
    user: CurrentUser,
    provider: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """One page of the provider's history, newest first: ``{items, page, total_pages, total, scope}``.

    On the platform's key a user who is not an administrator sees only the generations their own
    jobs made (``scope: "own"``, found in the recent history); their own key, or an administrator,
    sees the provider's whole history (``"all"``).
    """
    name = _provider_name(context, user, provider)
    shared = await anyio.to_thread.run_sync(_shared_view, context, user, name)
    async with user_bundle(context, user.id, name) as bundle:
        if bundle.history is None:
            raise ConfigurationError(f"{name} keeps no history; its files are in your library")
        if shared is None:
            result = await bundle.history.list_history(page=page, page_size=page_size)
            items, total, total_pages = list(result.items), result.total, result.total_pages
            page = result.page
        else:
            own = await _own_items(bundle.history, shared)
            total = len(own)
            total_pages = max(1, math.ceil(total / page_size))
            items = own[(page - 1) * page_size : page * page_size]
    return {
        "items": [_history_item_json(item) for item in items],
        "page": page,
        "total_pages": total_pages,
        "total": total,
        "scope": "all" if shared is None else "own",
    }


class HistoryImportPublic(BaseModel):
    """An import of a history item into the library. ``queued`` / ``running``: poll
    ``status_url``; ``succeeded``: ``items`` are the library files; ``failed``: ``error`` says why."""

    job_id: int
    provider: str
    provider_id: str
    state: ShownState
    error: str | None
    status_url: str
    items: list[dict[str, Any]]

    @classmethod
    def of(cls, session: Session, job: Job, links: MediaLinks) -> HistoryImportPublic:
        state = JobState(job.state)
        shown = shown_state(state)
        return cls(
            job_id=job.id,
            provider=job.provider,
            provider_id=str(job.request.get("provider_id", "")),
            state=shown,
            error=shown_error(state, job.error_message),
            status_url=f"/api/history/imports/{job.id}",
            items=(
                [file_to_json(row, links) for row in imported_rows(session, job)]
                if shown == "succeeded"
                else []
            ),
        )


@router.post("/api/history/import", status_code=202)
async def import_history_item(context: Ctx, user: CurrentUser, body: HistoryImport) -> HistoryImportPublic:
    """Queue the download of a completed history item's files into the caller's library (the same
    item's import already waiting or running is answered instead); poll ``status_url``.

    400 when the item is already in the library (imported, or downloaded by one of the caller's
    jobs); 404, on the platform's key for a user who is not an administrator, when it is not one of
    their own jobs'. An item the provider's recent history does not hold, or that has no files yet,
    ends the import ``failed`` with the reason.
    """
    name = _provider_name(context, user, body.provider)
    provider_id = body.provider_id.strip()
    if not provider_id:
        raise field_error("provider_id", "give the id of the history item to import")
    shared = await anyio.to_thread.run_sync(_shared_view, context, user, name)
    if shared is not None and provider_id not in shared:
        raise NotFoundError(f"no item {provider_id} among your generations at {name}")
    folder = context.media_root / str(user.id) / "history" / name

    def queue() -> HistoryImportPublic:
        with context.db.session() as session:
            existing = library_rows(session, user.id, name, provider_id)
            if existing:
                raise field_error(
                    "provider_id", f"{provider_id} is already in your library (file {existing[0].id})"
                )
            job = queue_import(
                session, owner_id=user.id, provider=name, provider_id=provider_id, out_dir=folder
            )
            return HistoryImportPublic.of(session, job, context.media_links)

    return await anyio.to_thread.run_sync(queue)


@router.get("/api/history/imports/{job_id}")
def get_history_import(context: Ctx, user: CurrentUser, job_id: int) -> HistoryImportPublic:
    """Where an import stands; another user's import, or a job that is no import, is 404."""
    with context.db.session() as session:
        job = session.get(Job, job_id)
        if job is None or job.owner_id != user.id or job.kind != IMPORT_KIND:
            raise NotFoundError(f"no import {job_id}")
        return HistoryImportPublic.of(session, job, context.media_links)


# -- helpers --------------------------------------------------------------------------------------


def _provider_name(context: WebContext, user: User, provider: str | None) -> str:
    name = (provider or "").strip()
    if not name:
        name = preferred_provider(context, user)
        if not _known(context, name).paid:
            paid = registry.paid_provider_names(context.settings)
            name = paid[0] if paid else name
    _known(context, name)
    return name


def _shared_view(context: WebContext, user: User, provider: str) -> frozenset[str] | None:
    """The provider ids ``user`` may see of a provider read on the platform's key, which every user
    without a key of their own shares: their own jobs' generations. None: they may see everything
    (their own key's account, or they are an administrator)."""
    if user.is_admin or key_source(context, user.id, provider) != "platform":
        return None
    return JobRepository(context.db).provider_ids_of_owner(user.id, provider)


def _credits_spent(context: WebContext, owner_id: int, provider: str) -> int:
    """What ``owner_id``'s jobs on ``provider`` were charged, in credits."""
    traits = registry.traits(provider, context.settings)
    return sum(
        traits.credits_for(Mode(mode), count) * charges
        for mode, count, charges in JobRepository(context.db).charges_of_owner(owner_id, provider)
    )


async def _own_items(history: GenerationHistory, wanted: frozenset[str]) -> list[HistoryItem]:
    """The rows of ``wanted`` ids in the provider's recent history, newest first."""
    found: list[HistoryItem] = []
    if not wanted:
        return found
    for number in range(1, SCAN_PAGES + 1):
        page = await history.list_history(page=number, page_size=SCAN_PAGE_SIZE)
        found.extend(item for item in page.items if item.provider_id in wanted)
        if len(found) >= len(wanted) or not page.items or number >= page.total_pages:
            break
    return found


def _known(context: WebContext, name: str) -> registry.ProviderTraits:
    """The traits of provider ``name``; :class:`InvalidInputError` naming the field otherwise."""
    if name not in registry.provider_names():
        known = ", ".join(registry.provider_names())
        raise field_error("provider", f"unknown provider {name!r}; use one of {known}")
    return registry.traits(name, context.settings)


def _history_item_json(item: HistoryItem) -> dict[str, Any]:
    return {
        "provider_id": item.provider_id,
        "prompt": item.prompt,
        "status": item.status.value,
        "file_urls": list(item.file_urls),
        "created_at": item.created_at.isoformat() if item.created_at else None,
    }
