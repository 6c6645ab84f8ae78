"""Put generated media where the user asked: move local renders, download remote results."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx

from framecast.core.errors import DownloadError
from framecast.providers.base import MediaItem, Mode
from framecast.providers.downloads import download_file
from framecast.providers.registry import DownloadAuth


def slug(prompt: str, limit: int = 40) -> str:
    """A file-name-safe stem from a prompt (``"A heron, at dawn!"`` -> ``a-heron-at-dawn``)."""
    words = re.sub(r"[^a-z0-9]+", "-", prompt.lower()).strip("-")
    return words[:limit].rstrip("-") or "generation"


def extension_for(mode: Mode) -> str:
    return ".png" if mode is Mode.IMAGE else ".mp4"


def plan_outputs(items: list[MediaItem], stems: list[str], out_dir: Path, mode: Mode) -> list[dict[str, Any]]:
    """Pair each produced item with its target file; recorded before any byte is moved."""
    ext = extension_for(mode)
    planned: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        stem = stems[index] if index < len(stems) else f"{stems[0]}_{index + 1}"
        planned.append(
            {
                "provider_id": item.provider_id,
                "url": item.url,
                "source": str(item.path) if item.path else None,
                "path": str(out_dir / f"{stem}{ext}"),
                "done": False,
            }
        )
    return planned


async def materialize(
    planned: list[dict[str, Any]],
    *,
    mode: Mode,
    http: httpx.AsyncClient | None,
    max_bytes: int,
    auth: DownloadAuth | None = None,
    stored: Callable[[Path], Awaitable[int | None]] | None = None,
) -> list[dict[str, Any]]:
    """Move or download every planned output not yet done; raises :class:`DownloadError`.

    A download answering 401/403 is tried once more with ``auth``'s key, if the URL's host may
    receive it. ``stored(target)``: the size of a target already moved into the file store by an
    earlier attempt that crashed before recording it (None: not there), so it is neither moved nor
    downloaded again.
    """
    finished: list[dict[str, Any]] = []
    kind: Literal["video", "image"] = "image" if mode is Mode.IMAGE else "video"
    for entry in planned:
        entry = dict(entry)
        target = Path(entry["path"])
        await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
        if entry.get("done") and await anyio.Path(target).is_file():
            finished.append(entry)
            continue
        if stored is not None and not await anyio.Path(target).is_file():
            size = await stored(target)
            if size is not None:
                entry["done"] = True
                entry["size_bytes"] = size
                finished.append(entry)
                continue
        source = entry.get("source")
        if source:
            await anyio.to_thread.run_sync(_move_into_place, Path(source), target)
        elif entry.get("url"):
            if http is None:
                raise DownloadError(f"no HTTP client to download {entry['url']}")
            final = await download_file(
                http,
                entry["url"],
                target,
                kind=kind,
                max_bytes=max_bytes,
                auth_header=auth.for_url(entry["url"]) if auth is not None else None,
            )
            entry["path"] = str(final)
        else:
            raise DownloadError("the provider reported a result without a file or a URL")
        entry["done"] = True
        finished.append(entry)
    return finished


def _move_into_place(source: Path, target: Path) -> None:
    if not source.is_file():
        if target.is_file():
            return  # moved by an earlier attempt that crashed before recording it
        raise DownloadError(f"rendered file {source} is missing")
    tmp = target.with_name(f".{target.name}.part")
    try:
        os.replace(source, target)
    except OSError:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        source.unlink(missing_ok=True)
