"""The storage contract: every file the project writes and serves goes through one :class:`Store`.

What is stored, and under which key (keys are POSIX paths relative to the store's root, which is
the data dir for :class:`~framecast.core.storage.local.LocalStore` and ``s3://bucket/prefix`` for
:class:`~framecast.core.storage.s3.S3Store`)::

    media/<user>/jobs/<job folder>/<stem>.mp4|.png      Studio results of web jobs (studio/outputs.py)
    posters/<digest of the video's path>.jpg            poster frames of videos (studio/posters.py)
    media/<user>/batches/<upload>/...                   batch results, results.csv, failed.csv
    media/<user>/batches/<upload>/zips/part-<n>.zip     ZIP parts of a batch (studio/zips.py)
    media/<user>/history/<name>/...                     files imported from provider history
    uploads/<user>/<uuid>.<ext>                         uploaded frames and references (web/uploads.py)
    uploads/<user>/batches/<upload>/...                 uploaded batch files and their manifest
    tutor/<session>/<message>.<ext>                     Tutor speech of a reply (tutor/engine.py)
    tutor/<session>/<message>.mp4                       avatar videos (tutor/avatar_kind.py)
    tutor/recordings/...                                learners' recordings (tutor/recordings.py)
    tutor/phrases/<phrase id>.mp3                       practice phrase audio (tutor/practice.py)
    tutor/public/<random name>                          speech published for D-ID (tutor/public_audio.py)
    tutor/portrait.png                                  the avatar's portrait

Not stored here: the SQLite database and the platform secret (files of the data dir by nature),
and ``work/`` (scratch space of renderers, local to one process).

A record (``media_files.path``, a message's ``audio_path``) holds either a key or, written before
the store existed, an absolute path under the data dir; :func:`key_of` turns either into a key.

Writes are write-then-commit: :meth:`Store.put` streams the bytes somewhere readers cannot see (a
hidden temporary file, an S3 multipart upload) and makes them visible in one step (a rename, the
upload's completion) only when the stream ended without an error. A reader sees the old object, the
new one, or nothing; never half.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

from framecast.core.errors import InvalidInputError

# Bytes per chunk when a store reads a file or an object out.
READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class ObjectInfo:
    """One stored object: its key, its size in bytes and when it was last written."""

    key: str
    size: int
    modified: datetime | None = None


@runtime_checkable
class Store(Protocol):
    """Where files are kept. Every method may raise :class:`~framecast.core.errors.StorageError`
    when the store itself fails, and :class:`~framecast.core.errors.InvalidInputError` for a key
    that is not a clean relative path (:func:`check_key`)."""

    @property
    def where(self) -> str:
        """The store in messages: ``/var/lib/framecast`` or ``s3://bucket/prefix``."""
        ...

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, content_type: str | None = None
    ) -> ObjectInfo:
        """Store the stream under ``key``, replacing what was there, with flat memory for any size.

        The object becomes visible only when ``chunks`` ends; an error raised by ``chunks`` (or a
        crash) leaves the previous object, or none, and is raised again.
        """
        ...

    async def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> ObjectInfo:
        """:meth:`put` for bytes already in memory."""
        ...

    async def put_file(
        self, key: str, path: Path, *, content_type: str | None = None, move: bool = False
    ) -> ObjectInfo:
        """Store the local file ``path`` under ``key`` (streamed); ``move``: remove ``path`` after
        (a rename when it is on the store's own disk). Raises :class:`FileNotFoundError` when
        ``path`` is missing."""
        ...

    async def open(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The object's bytes from ``start`` to ``end`` (exclusive; None: to the end), in chunks.

        Raises :class:`~framecast.core.errors.MissingObjectError` here, before the first chunk,
        when nothing is stored under ``key``.
        """
        ...

    async def read_bytes(self, key: str) -> bytes:
        """The whole object in memory (small files only); raises ``MissingObjectError``."""
        ...

    async def stat(self, key: str) -> ObjectInfo | None:
        """The object's size and time, or None when nothing is stored under ``key``."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the object; nothing happens when it is already gone."""
        ...

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        """Every committed object whose key starts with the folder ``prefix`` (``media/3`` lists
        ``media/3/...``, not ``media/30/...``), sorted by key; half-written ones are never listed."""
        ...

    async def url(self, key: str) -> str | None:
        """A URL a browser may fetch the object from without the app (a presigned GET valid for
        the configured seconds), or None: serve it through the app (the data dir, or a store in
        proxy mode)."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The object's file when the store is the local disk (the web layer hands it to
        ``FileResponse``), else None."""
        ...


def check_key(key: str) -> str:
    """``key`` when it is a clean relative POSIX path (``media/3/a.mp4``).

    Raises :class:`InvalidInputError` for an empty key, an absolute one, ``..`` or ``.`` parts,
    empty parts, backslashes or control characters: a key never escapes the store's root.
    """
    parts = key.split("/")
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or any(ord(c) < 32 for c in key)
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise InvalidInputError(f"{key!r} is not a storage key (a relative path such as media/3/a.mp4)")
    return key


def key_of(data_dir: Path, recorded: str) -> str:
    """The key of a file as a record holds it: a key as it is, an absolute path under ``data_dir``
    (records written before the store) as its path relative to ``data_dir``.

    Raises :class:`InvalidInputError` for an absolute path outside ``data_dir``.
    """
    path = PurePosixPath(recorded)
    if not path.is_absolute():
        return check_key(recorded)
    try:
        relative = Path(recorded).resolve().relative_to(data_dir.resolve())
    except ValueError:
        raise InvalidInputError(
            f"{recorded} is outside the data dir {data_dir}; it has no storage key"
        ) from None
    return check_key(relative.as_posix())


def folder_prefix(prefix: str) -> str:
    """``prefix`` as a folder: ``""`` stays, ``media/3`` becomes ``media/3/``."""
    prefix = prefix.strip("/")
    return f"{check_key(prefix)}/" if prefix else ""


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    """``data`` as a one-chunk stream for :meth:`Store.put`."""
    yield data
