"""Result files written as ``providers.downloads`` writes them: checked by content (an MP4 ``ftyp``
box; PNG, JPEG or WebP magic), written to a temporary name beside the destination, flushed to disk
and only then renamed into place, so a failed write leaves nothing at the destination.

The SDK hands results over as bytes (``files.download`` on the Gemini API, inline bytes on Vertex
AI and from Imagen), so there is no stream to cap; the checks are the same.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

import anyio

from framecast.core.errors import DownloadError
from framecast.core.media_types import sniff_image

Kind = Literal["video", "image"]


async def save_result(data: bytes, dest: Path, *, kind: Kind, max_bytes: int) -> Path:
    """Write ``data`` at ``dest`` (images: with the suffix of their real format) and return the path.

    Raises :class:`DownloadError` when the bytes are empty, too large, or not the expected kind.
    """
    return await anyio.to_thread.run_sync(_save, data, dest, kind, max_bytes)


def _save(data: bytes, dest: Path, kind: Kind, max_bytes: int) -> Path:
    if not data:
        raise DownloadError(f"Google returned an empty {kind}")
    if len(data) > max_bytes:
        raise DownloadError(f"Google's {kind} is {len(data)} bytes, more than the {max_bytes}-byte limit")
    final = _checked_path(data[:12], dest, kind)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    return final


def _checked_path(head: bytes, dest: Path, kind: Kind) -> Path:
    if kind == "video":
        if head[4:8] != b"ftyp":
            raise DownloadError(f"Google's video is not an MP4 (it starts with {head[:8].hex(' ')})")
        return dest
    image = sniff_image(head)
    if image is None:
        raise DownloadError(f"Google's image is not a PNG, JPEG or WebP (it starts with {head[:8].hex(' ')})")
    return dest.with_suffix(image.extension)
