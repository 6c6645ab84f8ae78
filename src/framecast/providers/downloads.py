"""Verified, atomic downloads of generated files.

A result URL is fetched in chunks into a temporary file beside the destination (memory stays flat
for any size), capped at ``max_bytes``, checked by content (an MP4 ``ftyp`` box; PNG, JPEG or WebP
magic), flushed to disk and only then renamed into place. A failed download leaves nothing at the
destination. Provider URLs expire, so callers download as soon as a generation completes.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import anyio
import httpx

from framecast.core.errors import DownloadError
from framecast.core.media_types import sniff_image
from framecast.providers.http_errors import parse_retry_after

log = logging.getLogger(__name__)

Kind = Literal["video", "image"]

# Bytes needed to recognise every accepted format.
_HEAD = 12
# The longest pause a Retry-After header may impose on one download.
_MAX_RETRY_AFTER_S = 60.0
_IMAGE_SUFFIXES = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "webp": (".webp",)}


class _RetryableError(Exception):
    """A failure worth another attempt; ``wait`` overrides the backoff when the server set one."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class _AuthRequiredError(Exception):
    """401/403 without credentials: try once more with the Authorization header."""


async def download_file(
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    kind: Kind,
    max_bytes: int,
    attempts: int = 4,
    auth_header: str | None = None,
    backoff_s: float = 1.0,
) -> Path:
    """Download ``url`` to ``dest`` and return the final path.

    For images the suffix is corrected to the real format (``.png``, ``.jpg`` or ``.webp``); videos
    keep ``dest``. Transport errors, truncated bodies, 429 and 5xx are retried up to ``attempts``
    times with exponential backoff (a ``Retry-After`` header wins, capped at a minute). A 401/403 is
    retried once with ``auth_header`` as the ``Authorization`` header when one is given.

    Raises :class:`DownloadError` with a message naming the URL (without its query) when the file
    cannot be fetched, is larger than ``max_bytes``, or is not a video/image of the expected kind.
    """
    shown = _display(url)
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"cannot download {shown!r}: only http and https URLs are supported")
    dest.parent.mkdir(parents=True, exist_ok=True)
    attempts = max(1, attempts)
    use_auth = False
    reason = "no attempt was made"
    attempt = 0
    while attempt < attempts:
        attempt += 1
        headers = {"Authorization": auth_header} if use_auth and auth_header else {}
        try:
            return await _attempt(http, url, dest, kind=kind, max_bytes=max_bytes, headers=headers)
        except _AuthRequiredError as exc:
            if auth_header is None or use_auth:
                raise DownloadError(f"could not download {shown}: {exc}") from None
            use_auth = True
            attempt -= 1  # the authorised retry is not one of the backoff attempts
            continue
        except _RetryableError as exc:
            reason = exc.reason
            if attempt >= attempts:
                break
            delay = exc.wait if exc.wait is not None else backoff_s * 2 ** (attempt - 1)
            log.info("retrying download of %s in %.1f s: %s", shown, delay, reason)
            await anyio.sleep(delay)
    raise DownloadError(f"could not download {shown} after {attempts} attempts: {reason}")


async def _attempt(
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    kind: Kind,
    max_bytes: int,
    headers: dict[str, str],
) -> Path:
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as sync_file:
            async with anyio.wrap_file(sync_file) as file:
                head = await _stream_into(http, url, file, max_bytes=max_bytes, headers=headers)
                await file.flush()
                await anyio.to_thread.run_sync(os.fsync, sync_file.fileno())
        final = _final_path(dest, kind, head, _display(url))
        os.replace(temp, final)
        _fsync_dir(final.parent)
        return final
    finally:
        await anyio.Path(temp).unlink(missing_ok=True)


async def _stream_into(
    http: httpx.AsyncClient,
    url: str,
    file: anyio.AsyncFile[bytes],
    *,
    max_bytes: int,
    headers: dict[str, str],
) -> bytes:
    """Write the body into ``file`` and return its first bytes.

    Raises :class:`_RetryableError`, :class:`_AuthRequiredError` or :class:`DownloadError`.
    """
    try:
        async with http.stream("GET", url, headers=headers) as response:
            _check_status(response)
            declared = _declared_length(response)
            if declared is not None and declared > max_bytes:
                raise DownloadError(
                    f"{_display(url)} is {declared} bytes, more than the {max_bytes}-byte limit"
                )
            head = b""
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError(f"{_display(url)} is larger than the {max_bytes}-byte limit")
                if len(head) < _HEAD:
                    head += chunk[: _HEAD - len(head)]
                await file.write(chunk)
            if declared is not None and size != declared:
                raise _RetryableError(f"the body was truncated ({size} of {declared} bytes)")
            return head
    except httpx.HTTPError as exc:
        # Transport failures, broken chunked or compressed bodies: the next attempt may succeed.
        raise _RetryableError(f"{type(exc).__name__}: {exc}") from exc


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise _AuthRequiredError(f"access denied (HTTP {status})")
    if status == 429 or status >= 500:
        wait = parse_retry_after(response.headers.get("retry-after"))
        raise _RetryableError(f"HTTP {status}", min(wait, _MAX_RETRY_AFTER_S) if wait is not None else None)
    if status in (404, 410):
        raise DownloadError(
            f"{_display(str(response.url))} is gone (HTTP {status}); provider links expire, so the "
            "result may have to be found again in the provider's history"
        )
    raise DownloadError(f"could not download {_display(str(response.url))}: HTTP {status}")


def _declared_length(response: httpx.Response) -> int | None:
    """Content-Length, when it describes the bytes we will see (not a compressed size)."""
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


def _final_path(dest: Path, kind: Kind, head: bytes, shown: str) -> Path:
    """``dest`` (images: with the suffix of their real format); raises when the content is wrong."""
    if not head:
        raise DownloadError(f"{shown} is empty")
    if kind == "video":
        if head[4:8] != b"ftyp":
            raise DownloadError(f"{shown} is not an MP4 video ({_describe(head)})")
        return dest
    image = _image_format(head)
    if image is None:
        raise DownloadError(f"{shown} is not a PNG, JPEG or WebP image ({_describe(head)})")
    suffixes = _IMAGE_SUFFIXES[image]
    return dest if dest.suffix.lower() in suffixes else dest.with_suffix(suffixes[0])


def _image_format(head: bytes) -> str | None:
    image = sniff_image(head)
    return image.name.lower() if image else None


def _describe(head: bytes) -> str:
    if head.lstrip().startswith(b"<"):
        return "it looks like an HTML or XML page"
    return f"it starts with {head[:8].hex(' ')}"


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _display(url: str) -> str:
    """The URL without query or fragment: signed links carry credentials there."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()
