"""What the provider says: quota, generation history, and importing history items into the library.

Calls run with the caller's own stored key for the provider (``jobs/provider_keys.py``), else the
platform key from settings. Without ``provider`` the caller's default provider is used, or GenAIPro
when that default is the offline renderer (which keeps no history and has no quota).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.core.errors import ConfigurationError, InvalidInputError, NotFoundError
from framecast.core.http import build_http_client
from framecast.db.accounts import User
from framecast.db.library import MediaFile
from framecast.jobs.provider_keys import platform_key, stored_key
from framecast.providers import registry
from framecast.providers.base import HistoryItem, HistoryStatus
from framecast.providers.registry import BuildContext, ProviderBundle
from framecast.studio.downloads import download_file
from framecast.studio.outputs import slug
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.routes.jobs import preferred_provider
from framecast.web.serializers import file_to_json

router = APIRouter(tags=["provider"])

# ``POST /api/history/import`` looks for the item in at most this many history pages of this size.
IMPORT_SCAN_PAGES = 10
IMPORT_SCAN_PAGE_SIZE = 100
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".m4v"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


class HistoryImport(BaseModel):
    provider: str | None = None
    provider_id: str = Field(min_length=1, max_length=200)


@router.get("/api/quota")
async def quota(context: Ctx, user: CurrentUser, provider: str | None = None) -> dict[str, Any]:
    """``{provider, available, used, total}``; ``available`` null means unlimited (offline)."""
    name = _provider_name(context, user, provider)
    async with _bundle(context, user, name) as bundle:
        if bundle.quota is None:
            raise ConfigurationError(f"{name} reports no quota")
        result = await bundle.quota.read_quota()
    return {"provider": name, "available": result.available, "used": result.used, "total": result.total}


@router.get("/api/history")
async def history(
    context: Ctx,
    user: CurrentUser,
    provider: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """One page of the provider's history, newest first."""
    name = _provider_name(context, user, provider)
    async with _bundle(context, user, name) as bundle:
        if bundle.history is None:
            raise ConfigurationError(f"{name} keeps no history; its files are in your library")
        result = await bundle.history.list_history(page=page, page_size=page_size)
    return {
        "items": [_history_item_json(item) for item in result.items],
        "page": result.page,
        "total_pages": result.total_pages,
        "total": result.total,
    }


@router.post("/api/history/import", status_code=201)
async def import_history_item(context: Ctx, user: CurrentUser, body: HistoryImport) -> dict[str, Any]:
    """Download a completed history item's files into the caller's library: ``{items: [file]}``.

    400 when the item is already in the library (imported, or downloaded by one of the caller's
    jobs) or has no files yet; 404 when the provider's recent history does not hold it.
    """
    name = _provider_name(context, user, body.provider)
    provider_id = body.provider_id.strip()
    await anyio.to_thread.run_sync(_refuse_duplicate, context, user.id, name, provider_id)
    async with _bundle(context, user, name) as bundle:
        item = await _find_item(bundle, name, provider_id)
        key = await anyio.to_thread.run_sync(_effective_key, context, user.id, name)
        folder = context.media_root / str(user.id) / "history" / name
        paths = await _download_all(context, item, folder, auth=f"Bearer {key}" if key else None)
    try:
        rows = await anyio.to_thread.run_sync(_add_rows, context, user.id, name, item, paths)
    except BaseException:
        with anyio.CancelScope(shield=True):
            for path in paths:
                await anyio.Path(path).unlink(missing_ok=True)
        raise
    return {"items": rows}


# -- helpers --------------------------------------------------------------------------------------


def _provider_name(context: WebContext, user: User, provider: str | None) -> str:
    name = (provider or "").strip()
    if not name:
        preferred = preferred_provider(context, user)
        name = "genaipro" if preferred == "offline" else preferred
    known = registry.provider_names()
    if name not in known:
        raise InvalidInputError(f"provider: unknown provider {name!r}; use one of {', '.join(known)}")
    return name


def _user_key(context: WebContext, owner_id: int, provider: str) -> str | None:
    return stored_key(context.db, context.fernet, owner_id, provider)


def _effective_key(context: WebContext, owner_id: int, provider: str) -> str | None:
    return _user_key(context, owner_id, provider) or platform_key(context.settings, provider)


@asynccontextmanager
async def _bundle(context: WebContext, user: User, name: str) -> AsyncIterator[ProviderBundle]:
    """The provider built with the caller's own key (None lets it fall back on the platform key)."""
    key = await anyio.to_thread.run_sync(_user_key, context, user.id, name)
    build = BuildContext(
        settings=context.settings, work_dir=Path(context.settings.data_dir) / "work", api_key=key
    )
    bundle = await anyio.to_thread.run_sync(registry.build, name, build)
    try:
        yield bundle
    finally:
        await bundle.aclose()


def _history_item_json(item: HistoryItem) -> dict[str, Any]:
    return {
        "provider_id": item.provider_id,
        "prompt": item.prompt,
        "status": item.status.value,
        "file_urls": list(item.file_urls),
        "created_at": item.created_at.isoformat() if item.created_at else None,
    }


def _refuse_duplicate(context: WebContext, owner_id: int, provider: str, provider_id: str) -> None:
    with context.db.session() as session:
        _check_not_imported(session, owner_id, provider, provider_id)


def _check_not_imported(session: Session, owner_id: int, provider: str, provider_id: str) -> None:
    """Raise :class:`InvalidInputError` when the owner's library already holds ``provider_id``."""
    existing = session.scalar(
        select(MediaFile.id).where(
            MediaFile.owner_id == owner_id,
            MediaFile.provider == provider,
            MediaFile.provider_id == provider_id,
        )
    )
    if existing is not None:
        raise InvalidInputError(f"provider_id: {provider_id} is already in your library (file {existing})")


async def _find_item(bundle: ProviderBundle, provider: str, provider_id: str) -> HistoryItem:
    """The history row ``provider_id``; raises when it is absent, unfinished or failed."""
    if bundle.history is None:
        raise ConfigurationError(f"{provider} keeps no history to import from")
    for number in range(1, IMPORT_SCAN_PAGES + 1):
        page = await bundle.history.list_history(page=number, page_size=IMPORT_SCAN_PAGE_SIZE)
        for item in page.items:
            if item.provider_id == provider_id:
                if item.status is HistoryStatus.FAILED:
                    raise InvalidInputError(
                        f"provider_id: {provider_id} failed at {provider}; nothing to import"
                    )
                if item.status is not HistoryStatus.COMPLETED or not item.file_urls:
                    raise InvalidInputError(
                        f"provider_id: {provider_id} is still processing at {provider}; import it once done"
                    )
                return item
        if not page.items or number >= page.total_pages:
            break
    raise NotFoundError(f"no item {provider_id} in {provider}'s recent history")


def _kind_of(url: str) -> Literal["video", "image"]:
    suffix = Path(urlsplit(url).path).suffix.lower()
    return "image" if suffix in IMAGE_SUFFIXES else "video"


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")[:80] or "item"


async def _download_all(context: WebContext, item: HistoryItem, folder: Path, auth: str | None) -> list[Path]:
    """Each file of ``item`` into ``folder``; on any failure nothing stays behind."""
    base = _safe_name(item.provider_id)
    several = len(item.file_urls) > 1
    paths: list[Path] = []
    try:
        async with build_http_client(
            connect_timeout_s=context.settings.genaipro.connect_timeout_s,
            read_timeout_s=context.settings.genaipro.idle_timeout_s,
        ) as http:
            for number, url in enumerate(item.file_urls, start=1):
                kind = _kind_of(url)
                # A unique name: two imports of one item racing must not share (and delete) a file.
                stem = f"{base}_{number}" if several else base
                stem = f"{stem}-{uuid.uuid4().hex[:8]}"
                dest = folder / f"{stem}{'.png' if kind == 'image' else '.mp4'}"
                final = await download_file(
                    http,
                    url,
                    dest,
                    kind=kind,
                    max_bytes=context.settings.max_download_bytes,
                    auth_header=auth,
                )
                paths.append(final)
    except BaseException:
        with anyio.CancelScope(shield=True):
            for path in paths:
                await anyio.Path(path).unlink(missing_ok=True)
        raise
    return paths


def _add_rows(
    context: WebContext, owner_id: int, provider: str, item: HistoryItem, paths: list[Path]
) -> list[dict[str, Any]]:
    """The library rows of an import; checked again here, as another import may have finished first."""
    stem = slug(item.prompt)
    with context.db.session() as session:
        _check_not_imported(session, owner_id, provider, item.provider_id)
        rows = []
        for number, path in enumerate(paths, start=1):
            suffix = f"-{number}" if len(paths) > 1 else ""
            row = MediaFile(
                owner_id=owner_id,
                kind="image" if path.suffix.lower() in IMAGE_SUFFIXES else "video",
                path=str(path),
                name=f"{stem}{suffix}{path.suffix.lower()}",
                prompt=item.prompt,
                provider=provider,
                provider_id=item.provider_id,
                size_bytes=path.stat().st_size,
            )
            session.add(row)
            rows.append(row)
        session.flush()
        return [file_to_json(row) for row in rows]
