"""Uploaded images, checked by what they contain rather than by what they are called.

An upload is accepted only when all of these hold, checked in this order so that the cheap checks
come first and nothing large is ever decoded before its size is known:

1. it is at most ``settings.web.max_upload_bytes`` long, counted while it is copied to disk (the
   copy stops at the first byte over the limit);
2. its first bytes are the magic of a JPEG, PNG or WebP file (the name and the declared content
   type are ignored: a PNG called ``photo.jpg`` is a PNG);
3. the width and height in its header multiply to at most ``settings.web.max_image_pixels``, read
   before any pixel is decoded, so a small file that claims to be 50000x50000 (a decompression
   bomb) is refused without allocating it;
4. it decodes completely (a truncated or corrupt file is refused).

It is then kept as ``<upload_root>/<user id>/<uuid>.<ext>``, the extension being the real format's.
Every rejection raises :class:`InvalidInputError` whose message starts with the form field's label,
e.g. ``Start frame: not an image (JPEG, PNG or WebP expected)`` (``web/field_labels.py``).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import anyio
from fastapi import UploadFile
from PIL import Image, UnidentifiedImageError

from framecast.core.media_types import sniff_image
from framecast.web.context import WebContext
from framecast.web.field_labels import field_error

# Bytes read from the upload at a time; the file is never held in memory whole.
CHUNK_BYTES = 1024 * 1024
# Bytes needed to recognise every accepted format.
_HEAD_BYTES = 16
ACCEPTED = "JPEG, PNG or WebP expected"
# Pillow format name -> extension of the stored file.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class StoredImage:
    """An accepted upload on disk."""

    path: Path
    format: str  # JPEG | PNG | WEBP
    width: int
    height: int
    size_bytes: int
    original_name: str


def is_empty_upload(upload: UploadFile | None) -> bool:
    """True for a missing file part, or the empty part a browser sends for an unused file input."""
    return upload is None or (not upload.filename and not upload.size)


async def save_image(context: WebContext, owner_id: int, field: str, upload: UploadFile) -> StoredImage:
    """Check ``upload`` and keep it under ``context.upload_root / str(owner_id)``.

    Raises :class:`InvalidInputError` (message ``"<label>: <problem>"``) when the file is empty, too
    large, not a JPEG/PNG/WebP, has too many pixels, or does not decode; nothing is left on disk then.
    """
    limits = context.settings.web
    folder = context.upload_root / str(owner_id)
    return await store_image(
        upload,
        field=field,
        folder=folder,
        max_bytes=limits.max_upload_bytes,
        max_pixels=limits.max_image_pixels,
    )


async def store_image(
    upload: UploadFile, *, field: str, folder: Path, max_bytes: int, max_pixels: int
) -> StoredImage:
    """:func:`save_image` with explicit limits and folder (for batch uploads and tests)."""
    await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    partial = folder / f".{token}.part"
    try:
        size = await _copy_limited(upload, partial, field=field, max_bytes=max_bytes)
        image_format, width, height = await anyio.to_thread.run_sync(
            check_image_file, partial, field, max_pixels
        )
        final = folder / f"{token}{EXTENSIONS[image_format]}"
        os.replace(partial, final)
    finally:
        # Shielded: a cancelled request must not leave a partial file behind.
        with anyio.CancelScope(shield=True):
            await anyio.Path(partial).unlink(missing_ok=True)
    return StoredImage(
        path=final,
        format=image_format,
        width=width,
        height=height,
        size_bytes=size,
        original_name=upload.filename or "",
    )


async def _copy_limited(upload: UploadFile, target: Path, *, field: str, max_bytes: int) -> int:
    """Copy ``upload`` into ``target``; raises :class:`InvalidInputError` past ``max_bytes`` or when empty."""
    size = 0
    async with await anyio.open_file(target, "wb") as out:
        while chunk := await upload.read(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise field_error(field, f"the file is larger than the {size_limit(max_bytes)} upload limit")
            await out.write(chunk)
    if size == 0:
        raise field_error(field, "the file is empty")
    return size


def check_image_file(path: Path, field: str, max_pixels: int) -> tuple[str, int, int]:
    """The format, width and height of the image at ``path``, after proving it whole.

    Raises :class:`InvalidInputError` naming ``field`` when the content is not a JPEG, PNG or WebP,
    when its header declares more than ``max_pixels`` pixels (checked before decoding), or when the
    file does not decode completely.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    image_format = sniff_format(head)
    if image_format is None:
        raise field_error(field, f"{_describe(head)} ({ACCEPTED})")
    width, height = _header_size(path, field, image_format, max_pixels)
    _decode_fully(path, field, image_format)
    return image_format, width, height


def sniff_format(head: bytes) -> str | None:
    """``JPEG``, ``PNG`` or ``WEBP`` from a file's first bytes; None for anything else."""
    image = sniff_image(head)
    return image.name if image else None


def _describe(head: bytes) -> str:
    """What a refused file looks like, so the message says more than "wrong"."""
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF images are not accepted"
    if head.startswith(b"BM"):
        return "BMP images are not accepted"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF images are not accepted"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC/AVIF images are not accepted"
    return "not an image"


def _header_size(path: Path, field: str, image_format: str, max_pixels: int) -> tuple[int, int]:
    """Width and height from the header alone; nothing is decoded here.

    Pillow refuses images far over its own global limit as soon as it reads their header
    (``DecompressionBombError``) and warns for those a little over it (a warning that the test suite
    turns into an exception); both mean "too many pixels". Our own, usually lower, limit is applied
    right after, still before any pixel is decoded. The global limit is left alone on purpose: it is
    shared by every thread of the process.
    """
    try:
        with Image.open(path, formats=[image_format]) as image:
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise field_error(field, f"the image has too many pixels (at most {max_pixels:,} allowed)") from None
    except UnidentifiedImageError:
        # Pillow's message names our temporary file; the user only needs to know it is unreadable.
        raise field_error(field, f"the {image_format} header is damaged and cannot be read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise field_error(field, f"the {image_format} header is damaged ({exc})") from None
    if width <= 0 or height <= 0:
        raise field_error(field, f"the image has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise field_error(
            field,
            f"the image is {width}x{height} = {width * height:,} pixels, "
            f"more than the {max_pixels:,} allowed",
        )
    return width, height


def _decode_fully(path: Path, field: str, image_format: str) -> None:
    """Verify the container, then decode every pixel: a truncated file fails here."""
    try:
        with Image.open(path, formats=[image_format]) as image:
            image.verify()
        # ``verify`` leaves the image unusable; a second open decodes it.
        with Image.open(path, formats=[image_format]) as image:
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise field_error(field, "the image has too many pixels") from None
    except UnidentifiedImageError:
        raise field_error(
            field, f"the {image_format} file is truncated or damaged and cannot be decoded"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise field_error(
            field, f"the {image_format} file is truncated or damaged and cannot be decoded ({exc})"
        ) from None


def size_limit(limit: int) -> str:
    """``20 MB`` for whole megabytes, else ``1,024-byte``."""
    megabyte = 1024 * 1024
    if limit >= megabyte and limit % megabyte == 0:
        return f"{limit // megabyte} MB"
    return f"{limit:,}-byte"
