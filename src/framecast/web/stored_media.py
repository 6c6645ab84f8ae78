"""Answering a media route from the store (``core/storage``), after the route checked the owner.

Three ways, decided by the store and ``storage.serve``:

- the data dir: ``FileResponse`` of the file, exactly as before the store existed (Range, HEAD,
  ETag and Last-Modified by Starlette);
- S3 with ``serve = presign`` (the default): a 307 redirect to a presigned GET valid for
  ``storage.presign_seconds``. The URL in the API's answers and socket messages stays this route's
  path (or its signed link, ``security/media_links.py``), so the owner check happens on every
  request, before any presigned URL is issued; players follow the redirect and send their Range
  to the store. Downloads (``?download=1``) are proxied so the file keeps its name;
- S3 with ``serve = proxy`` (browsers cannot reach the store): the server streams the object, with
  single ``Range`` requests answered 206 and ``Content-Range``; memory stays one chunk per answer.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

import anyio
from fastapi import Request, Response
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse

from framecast.core.errors import MissingObjectError, NotFoundError
from framecast.core.storage import S3Store, Store

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


async def stored_response(
    request: Request,
    store: Store,
    key: str,
    *,
    media_type: str,
    missing: str,
    filename: str | None = None,
    download: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The answer for the object at ``key``; raises :class:`NotFoundError` with ``missing`` when
    it is not stored."""
    path = store.local_path(key)
    if path is not None:
        try:
            stat_result = await anyio.Path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            raise NotFoundError(missing) from None
        if not stat.S_ISREG(stat_result.st_mode):
            raise NotFoundError(missing)
        return FileResponse(
            path,
            media_type=media_type,
            filename=filename,
            stat_result=stat_result,
            headers=dict(headers or {}),
            content_disposition_type="attachment" if download else "inline",
        )
    if not download:
        url = await store.url(key)
        if url is not None:
            if await store.stat(key) is None:
                raise NotFoundError(missing)
            # The presigned URL itself is a short-lived permission: no cache may keep the redirect.
            return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    return await _proxied(request, store, key, media_type, missing, filename, download, headers)


async def _proxied(
    request: Request,
    store: Store,
    key: str,
    media_type: str,
    missing: str,
    filename: str | None,
    download: bool,
    headers: Mapping[str, str] | None,
) -> Response:
    info = await store.stat(key)
    if info is None:
        raise NotFoundError(missing)
    size = info.size
    out = {"Accept-Ranges": "bytes", **(headers or {})}
    if filename is not None:
        kind = "attachment" if download else "inline"
        out["Content-Disposition"] = f"{kind}; filename*=utf-8''{quote(filename)}"
    start, end, status = 0, size, 200
    wanted = _single_range(request.headers.get("range"), size)
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={**out, "Content-Range": f"bytes */{size}"})
    if isinstance(wanted, tuple):
        start, end = wanted
        status = 206
        out["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    out["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=status, headers=out, media_type=media_type)
    try:
        body = await store.open(key, start=start, end=end)
    except MissingObjectError:
        raise NotFoundError(missing) from None
    return StreamingResponse(body, status_code=status, headers=out, media_type=media_type)


def _single_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(start, end)`` (end exclusive) of a single-range header, "unsatisfiable", or None: answer
    the whole object (no header, several ranges, or one we do not read)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size
    start = int(first)
    end = min(size, int(last) + 1) if last else size
    if start >= size or end <= start:
        return "unsatisfiable"
    return start, end


def browser_origin(store: Store) -> str | None:
    """Where browsers fetch presigned media from (for the Content-Security-Policy), or None when
    media is served by the app itself."""
    if not isinstance(store, S3Store) or store.presign_seconds is None:
        return None
    endpoint = store.endpoint or f"https://s3.{store.region}.amazonaws.com"
    parts = urlsplit(endpoint)
    if store.path_style:
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}://{store.bucket}.{parts.netloc}"
