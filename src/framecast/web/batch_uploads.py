"""What a batch preview uploads, kept until the batch is created from it.

One upload is a folder ``<upload_root>/<user id>/batches/<upload_id>/``::

    upload.json        kind, aspect, provider and the names below (written last: no manifest, no upload)
    source/<name>      the TXT or CSV file, under the user's own (sanitised) file name
    frame/<name>       A-roll: the start frame of every prompt
    reference/<name>   B-roll images: the optional reference image
    images/<name>...   B-roll footage: the numbered images, under their own (sanitised) names, so that
                       ``1_broll.jpg`` is still image 1

``upload_id`` is a random token; the folder lives under its owner's id, so another user's token
names nothing (:class:`NotFoundError`, like a token that never existed). Images go through the
upload validator (``web/uploads.py``): content sniffed, size and pixel limits, decoded once.
The batch file is limited to ``settings.web.max_batch_file_bytes`` and parsed by
:func:`framecast.studio.batches.plan_batch`; a problem in it names the user's file name and line,
never the server's path.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PureWindowsPath
from typing import Any

import anyio
from fastapi import UploadFile

from framecast.core.errors import BatchInputError, InvalidInputError, NotFoundError
from framecast.core.files import write_text_atomically
from framecast.providers.base import Aspect
from framecast.studio.batch_output import safe_stem
from framecast.studio.batches import BATCH_KINDS, BatchKind, BatchPlan, plan_batch
from framecast.studio.numbered_images import IMAGE_SUFFIXES, image_number_of
from framecast.web.context import WebContext
from framecast.web.field_labels import field_error
from framecast.web.uploads import CHUNK_BYTES, is_empty_upload, size_limit, store_image

MANIFEST = "upload.json"
# More numbered images than any batch needs; stops one request from filling the disk.
MAX_IMAGES = 1000
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")
# Extensions each sniffed format may keep; any other is replaced by the format's own.
_FORMAT_SUFFIXES = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",)}
_DEFAULT_NAMES = {"file": "batch", "frame": "frame", "reference": "reference", "images": "image"}


@dataclass(frozen=True)
class BatchUpload:
    """A stored preview: enough to plan the batch again when it is created."""

    upload_id: str
    owner_id: int
    folder: Path
    kind: BatchKind
    aspect: Aspect
    provider: str
    source: Path
    frame: Path | None = None
    reference: Path | None = None
    images_dir: Path | None = None

    @property
    def source_name(self) -> str:
        return self.source.name

    def plan(self, out_dir: Path) -> BatchPlan:
        """Parse the stored file; raises :class:`InvalidInputError` naming the file and line."""
        return plan_upload(self, out_dir)


def new_upload_id() -> str:
    return secrets.token_urlsafe(18)


def upload_folder(context: WebContext, owner_id: int, upload_id: str) -> Path:
    """Where ``owner_id``'s upload lives; :class:`NotFoundError` for a token that cannot be one."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise NotFoundError(f"no batch upload {upload_id!r}")
    return context.upload_root / str(owner_id) / "batches" / upload_id


def batch_out_dir(context: WebContext, owner_id: int, upload_id: str) -> Path:
    """Where the batch made from an upload writes its files: ``<media_root>/<user>/batches/<id>``."""
    upload_folder(context, owner_id, upload_id)  # the same token check
    return context.media_root / str(owner_id) / "batches" / upload_id


def safe_file_name(original: str | None, field: str, suffix: str | None = None) -> str:
    """A plain file name from what a browser sent: no folders, no unsafe characters.

    The stem goes through :func:`safe_stem`, which keeps safe names unchanged (so a numbered image
    keeps its number); ``suffix`` replaces the name's extension when given.
    """
    name = PureWindowsPath(original or "").name  # drops both / and \\ folders
    dot = name.rfind(".")
    stem, ext = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    if suffix is None:
        suffix = ext.lower() if _SUFFIX.fullmatch(ext) else ""
    return safe_stem(stem.strip() or _DEFAULT_NAMES[field]) + suffix


def check_kind(kind: str) -> BatchKind:
    if kind not in BATCH_KINDS:
        raise field_error("kind", f"unknown batch kind {kind!r}; use one of {', '.join(BATCH_KINDS)}")
    return kind


async def store_batch_upload(
    context: WebContext,
    owner_id: int,
    *,
    kind: BatchKind,
    aspect: Aspect,
    provider: str,
    file: UploadFile | None,
    frame: UploadFile | None = None,
    reference: UploadFile | None = None,
    images: Sequence[UploadFile] = (),
) -> tuple[BatchUpload, BatchPlan]:
    """Keep the files of a preview and parse the batch file; returns the upload and its plan.

    Only the images ``kind`` uses are kept (A-roll: ``frame``; B-roll images: ``reference``;
    B-roll footage: ``images``). Raises :class:`InvalidInputError` whose message starts with the
    form field's label (``Prompts file: ...``, ``Start frame: ...``, ``Numbered images: 3_x.jpg:
    ...``) or, for a problem inside the batch file, names the file and line
    (:class:`BatchInputError`). Nothing is left on disk after a refusal.
    """
    images = [image for image in images if not is_empty_upload(image)]
    if file is None or is_empty_upload(file):
        raise field_error("file", "choose the TXT or CSV file that lists the prompts")
    if kind == "aroll" and (frame is None or is_empty_upload(frame)):
        raise field_error("frame", "A-roll needs a start frame image, used for every prompt")
    if kind == "broll-footage" and not images:
        raise field_error(
            "images", "B-roll footage needs numbered start images (1_x.jpg, 2.png, 10.webp, ...)"
        )
    if len(images) > MAX_IMAGES:
        raise field_error("images", f"at most {MAX_IMAGES} images per batch, got {len(images)}")
    upload_id = new_upload_id()
    folder = upload_folder(context, owner_id, upload_id)
    try:
        upload = BatchUpload(
            upload_id=upload_id,
            owner_id=owner_id,
            folder=folder,
            kind=kind,
            aspect=aspect,
            provider=provider,
            source=await _store_batch_file(context, file, folder / "source"),
        )
        if kind == "aroll" and frame is not None:
            upload = replace(upload, frame=await _store_image(context, frame, "frame", folder / "frame"))
        if kind == "broll-images" and reference is not None and not is_empty_upload(reference):
            stored = await _store_image(context, reference, "reference", folder / "reference")
            upload = replace(upload, reference=stored)
        if kind == "broll-footage":
            upload = replace(upload, images_dir=await _store_numbered(context, images, folder / "images"))
        out_dir = batch_out_dir(context, owner_id, upload_id)
        plan = await anyio.to_thread.run_sync(plan_upload, upload, out_dir)
        await anyio.to_thread.run_sync(_write_manifest, upload)
    except BaseException:
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(folder, ignore_errors=True))
        raise
    return upload, plan


def load_batch_upload(context: WebContext, owner_id: int, upload_id: str) -> BatchUpload:
    """The upload ``owner_id`` made; :class:`NotFoundError` for any other token."""
    folder = upload_folder(context, owner_id, upload_id)
    try:
        data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFoundError(f"no batch upload {upload_id!r}; preview the batch again") from None

    def path(key: str) -> Path | None:
        value = data.get(key)
        return folder / value if value else None

    source = path("source")
    if source is None:
        raise NotFoundError(f"no batch upload {upload_id!r}; preview the batch again")
    return BatchUpload(
        upload_id=upload_id,
        owner_id=owner_id,
        folder=folder,
        kind=check_kind(str(data.get("kind"))),
        aspect=Aspect(data["aspect"]),
        provider=str(data["provider"]),
        source=source,
        frame=path("frame"),
        reference=path("reference"),
        images_dir=path("images"),
    )


def plan_upload(upload: BatchUpload, out_dir: Path) -> BatchPlan:
    """:func:`plan_batch` on the stored files, with messages that name the user's file, not our path."""
    try:
        return plan_batch(
            upload.kind,
            upload.source,
            out_dir=out_dir,
            aspect=upload.aspect,
            frame=upload.frame,
            reference=upload.reference,
            images_dir=upload.images_dir,
        )
    except BatchInputError as exc:
        raise BatchInputError(upload.source_name, exc.line, exc.problem) from None
    except InvalidInputError as exc:
        message = str(exc).replace(str(upload.source), upload.source_name)
        raise InvalidInputError(message.replace(f"{upload.folder}/", "")) from None


async def _store_batch_file(context: WebContext, upload: UploadFile, folder: Path) -> Path:
    limit = context.settings.web.max_batch_file_bytes
    await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
    target = folder / safe_file_name(upload.filename, "file")
    size = 0
    async with await anyio.open_file(target, "wb") as out:
        while chunk := await upload.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise field_error(
                    "file", f"the batch file is larger than the {size_limit(limit)} limit; split it"
                )
            await out.write(chunk)
    return target


async def _store_image(context: WebContext, upload: UploadFile, field: str, folder: Path) -> Path:
    """Validate and keep one image under its own (sanitised) name in ``folder``."""
    limits = context.settings.web
    stored = await store_image(
        upload,
        field=field,
        folder=folder,
        max_bytes=limits.max_upload_bytes,
        max_pixels=limits.max_image_pixels,
    )
    target = folder / _image_name(upload.filename, field, stored.format)
    await anyio.Path(stored.path).rename(target)
    return target


async def _store_numbered(context: WebContext, uploads: Sequence[UploadFile], folder: Path) -> Path:
    """Keep the numbered images in ``folder``; raises :class:`InvalidInputError` naming the image."""
    limits = context.settings.web
    await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    numbered = 0
    for upload in uploads:
        shown = safe_file_name(upload.filename, "images")
        stored = await store_image(
            upload,
            field=f"images: {shown}",
            folder=folder,
            max_bytes=limits.max_upload_bytes,
            max_pixels=limits.max_image_pixels,
        )
        name = _image_name(upload.filename, "images", stored.format)
        if name.casefold() in names:
            raise field_error("images", f"two images are named {name}; rename one of them")
        names.add(name.casefold())
        await anyio.Path(stored.path).rename(folder / name)
        if image_number_of(Path(name)) is not None:
            numbered += 1
    if not numbered:
        raise field_error(
            "images",
            "none of the images has a number in its name; name them with a leading number, "
            "such as 1_broll.jpg, 2_x.png or 10.jpg",
        )
    return folder


def _image_name(original: str | None, field: str, image_format: str) -> str:
    allowed = _FORMAT_SUFFIXES[image_format]
    name = safe_file_name(original, field)
    suffix = Path(name).suffix
    if suffix in allowed and suffix in IMAGE_SUFFIXES:
        return name
    # The content decides the extension: a PNG called photo.jpg is kept as photo.png.
    stem = name[: -len(suffix)] if suffix else name
    return stem + allowed[0]


def _write_manifest(upload: BatchUpload) -> None:
    def relative(path: Path | None) -> str | None:
        return path.relative_to(upload.folder).as_posix() if path is not None else None

    data = {
        "kind": upload.kind,
        "aspect": upload.aspect.value,
        "provider": upload.provider,
        "source": relative(upload.source),
        "frame": relative(upload.frame),
        "reference": relative(upload.reference),
        "images": relative(upload.images_dir),
    }
    write_text_atomically(upload.folder / MANIFEST, json.dumps(data, indent=2))
