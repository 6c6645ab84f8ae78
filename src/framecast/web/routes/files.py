"""The library over REST: list and search files, serve one (with Range, so video seeks) and its
poster frame, delete one.

The file and its poster are also served to a signed link (``web/security/media_links.py``) with no
login, so a player on another site can show them; without ``exp`` and ``sig`` only the owner may.

Files are the ``media_files`` rows the job engine adds when an owned job succeeds and those imported
from provider history. Every route answers only the caller's own files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import func, or_, select

from framecast.core.errors import NotFoundError
from framecast.core.storage import LocalStore
from framecast.db.library import MediaFile
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser, MediaOwner
from framecast.web.serializers import file_to_json
from framecast.web.stored_media import stored_response

router = APIRouter(tags=["files"])

MAX_PAGE = 500
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


@router.get("/api/files")
async def list_files(
    context: Ctx,
    user: CurrentUser,
    q: Annotated[str | None, Query(description="words found in the prompt or the file name")] = None,
    kind: Literal["video", "image"] | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The caller's files, newest first: ``{items, total}``."""

    def load() -> dict[str, Any]:
        query = select(MediaFile).where(MediaFile.owner_id == user.id)
        if kind is not None:
            query = query.where(MediaFile.kind == kind)
        if q and q.strip():
            pattern = f"%{_escape_like(q.strip().lower())}%"
            query = query.where(
                or_(
                    func.lower(MediaFile.prompt).like(pattern, escape="\\"),
                    func.lower(MediaFile.name).like(pattern, escape="\\"),
                )
            )
        with context.db.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(MediaFile.created_at.desc(), MediaFile.id.desc()).limit(limit).offset(offset)
            )
            items = [file_to_json(row, context.media_links) for row in rows]
            return {"items": items, "total": total}

    return await anyio.to_thread.run_sync(load)


@router.get("/files/{file_id}/content", response_class=FileResponse)
# HEAD too (players ask for a file's size first); one operation in the OpenAPI schema.
@router.head("/files/{file_id}/content", response_class=FileResponse, include_in_schema=False)
async def file_content(
    request: Request,
    context: Ctx,
    owner: MediaOwner,
    file_id: int,
    download: Annotated[bool, Query(description="1: save as a file instead of showing it")] = False,
) -> Response:
    """The file itself; ``Range`` requests get 206 partial content (on S3: a redirect to a
    presigned URL, or the bytes proxied; ``web/stored_media.py``). 404 when it is gone."""
    row = await anyio.to_thread.run_sync(_owned, context, file_id, owner)
    store, key = await context.locate(row.path)
    return await stored_response(
        request,
        store,
        key,
        media_type=MEDIA_TYPES.get(Path(row.path).suffix.lower(), "application/octet-stream"),
        missing=f"file {file_id} ({row.name}) is no longer on disk",
        filename=row.name,
        download=download,
    )


@router.get("/files/{file_id}/poster", response_class=FileResponse)
async def file_poster(request: Request, context: Ctx, owner: MediaOwner, file_id: int) -> Response:
    """The still JPEG shown before a video plays; 404 for an image or a video without one."""
    row = await anyio.to_thread.run_sync(_owned, context, file_id, owner)
    if not row.poster_path:
        raise NotFoundError(f"file {file_id} ({row.name}) has no poster")
    store, key = await context.locate(row.poster_path)
    return await stored_response(
        request,
        store,
        key,
        media_type="image/jpeg",
        missing=f"the poster of file {file_id} is no longer on disk",
        # Made once and never changed: the browser may keep it.
        headers={"Cache-Control": "private, max-age=86400"},
    )


@router.delete("/api/files/{file_id}", status_code=204)
async def delete_file(context: Ctx, user: CurrentUser, file_id: int) -> Response:
    """Remove the file from the library and from disk."""

    def remove() -> tuple[str, str | None]:
        with context.db.session() as session:
            row = session.get(MediaFile, file_id)
            if row is None or row.owner_id != user.id:
                raise NotFoundError(f"no file {file_id}")
            path, poster = row.path, row.poster_path
            session.delete(row)
        return path, poster

    # The row goes first: a file left behind by a crash here is harmless, a row without its file
    # would be a broken library entry.
    path, poster = await anyio.to_thread.run_sync(remove)
    for recorded in (path, poster):
        if recorded:
            store, key = context.stored(recorded)
            await store.delete(key)
            if store.local_path(key) is None:
                # A copy written before the bucket, or one ``storage migrate`` has not copied.
                await LocalStore(Path(context.settings.data_dir)).delete(key)
    return Response(status_code=204)


def _owned(context: WebContext, file_id: int, owner_id: int | None) -> MediaFile:
    """The file, if ``owner_id`` owns it (None: a signed link, any owner)."""
    with context.db.session() as session:
        row = session.get(MediaFile, file_id)
        if row is None or (owner_id is not None and row.owner_id != owner_id):
            raise NotFoundError(f"no file {file_id}")
        session.expunge(row)
        return row


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
