"""Writing files so that a reader (or a crash) never sees half of one, clearing what a crash left
half-written, and telling a full disk from other failures."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

DISK_FULL_MESSAGE = "the server's disk is full; nothing was saved. Ask the administrator to free some space"
# Names of files being written: downloads and encoders (``.<name>.<random>.part``) and
# :func:`atomic_file` (``.<name>.<random>.tmp``).
PARTIAL_SUFFIXES = (".part", ".tmp")


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle whose contents replace ``path`` when the block ends without an error, so
    readers see the old file or the new, never half (large files are streamed in, not held).

    The data goes to a hidden ``.<name>.<random>.tmp`` beside ``path`` (what
    :func:`remove_leftovers` clears after a crash), is flushed to disk, and is then renamed into
    place. The folder is created when missing. Raises :class:`OSError` when it is not writable; on
    any error inside the block nothing replaces ``path`` and no temporary file is left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600), which is what every file of the data dir should be.
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new, never half.

    The folder is created when missing. Raises :class:`OSError` when it is not writable; no
    temporary file is left behind.
    """
    with atomic_file(path) as handle:
        handle.write(data)


def write_text_atomically(path: Path, text: str) -> None:
    """:func:`write_bytes_atomically` for ``text`` in UTF-8 (newlines written as given).

    Raises :class:`UnicodeEncodeError` for text that is not valid Unicode (nothing is written).
    """
    write_bytes_atomically(path, text.encode("utf-8"))


def remove_leftovers(root: Path, *, older_than_s: float = 300.0) -> int:
    """Delete half-written files (hidden ``*.part`` / ``*.tmp``) under ``root`` untouched for
    ``older_than_s`` seconds: what a crash or a full disk left. A file another process is still
    writing keeps changing, so it is not touched. Returns how many were removed."""
    if not root.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than_s
    for path in root.rglob(".*"):
        if path.suffix not in PARTIAL_SUFFIXES:
            continue
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk, as the OS or SQLite says it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if isinstance(seen, sqlite3.OperationalError) and "disk is full" in str(seen):
            return True
        # SQLAlchemy wraps the driver's error; its text carries the driver's message.
        if type(seen).__name__ == "OperationalError" and "disk is full" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def private_data_dir(path: Path) -> Path:
    """Make ``path`` (the data dir) and everything this process creates from now on private to the
    user running it: the folder 0700, new files 0600 and folders 0700 (a process-wide umask).

    The database, media, uploads and recordings are the users' own; another account on the host
    has no business reading them.
    """
    os.umask(0o077)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(PermissionError):
        if path.stat().st_uid == os.getuid():
            path.chmod(0o700)
    return path
