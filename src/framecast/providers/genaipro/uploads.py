"""Images sent to GenAIPro as multipart files: real MIME type from content, opened as streams.

The original app labelled every upload ``image/jpeg``; we read the first bytes instead, refuse what
is not JPEG, PNG or WebP before anything is paid for, and hand httpx open files so that large
images are streamed rather than read into memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from framecast.core.errors import InvalidInputError
from framecast.core.media_types import sniff_image

Upload = tuple[str, tuple[str, BinaryIO, str]]


def image_type(head: bytes) -> tuple[str, str] | None:
    """``(mime, extension)`` for JPEG, PNG or WebP magic bytes; None for anything else."""
    image = sniff_image(head)
    return (image.mime, image.extension.lstrip(".")) if image else None


def open_uploads(stack: ExitStack, fields: Sequence[tuple[str, Path]]) -> list[Upload]:
    """Open each ``(field, path)`` for a multipart body; the files close with ``stack``.

    Raises :class:`InvalidInputError` naming the file when it is not a JPEG, PNG or WebP image.
    """
    uploads: list[Upload] = []
    repeats = {field: sum(1 for other, _ in fields if other == field) for field, _ in fields}
    seen: dict[str, int] = {}
    for field, path in fields:
        handle = stack.enter_context(path.open("rb"))
        kind = image_type(handle.read(12))
        handle.seek(0)
        if kind is None:
            raise InvalidInputError(f"{path} is not a JPEG, PNG or WebP image")
        mime, extension = kind
        seen[field] = seen.get(field, 0) + 1
        stem = field if repeats[field] == 1 else f"{field}_{seen[field]}"
        uploads.append((field, (f"{stem}.{extension}", handle, mime)))
    return uploads
