"""A batch's finished files as ZIP parts of at most ``MAX_PART_BYTES``, built by the job kind
``studio.zip`` (:mod:`framecast.studio.zip_kind`), never inside a web request.

Parts are written by :func:`framecast.studio.zips.write_zip_parts` into ``<batch out_dir>/zips/``
beside a small ``parts.json`` that records which files (name, size, modification time) and which
part size they were built from. :func:`built_parts` answers the parts while that is unchanged (and
None once a file was added, replaced or deleted); :func:`zip_parts` returns them, or builds them
again (removing the old ones) when they are missing or out of date. ``parts.json`` is written last,
atomically, so a build cut short by a crash is simply out of date, and the next build replaces it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.core.files import write_text_atomically
from framecast.db.models import Batch, Job
from framecast.jobs.states import JobState
from framecast.studio.zips import DEFAULT_MAX_PART_BYTES, write_zip_parts

# The largest part; tests lower it. Read when a build is asked for, and kept in the job's request.
MAX_PART_BYTES = DEFAULT_MAX_PART_BYTES
ZIP_FOLDER = "zips"
MANIFEST = "parts.json"

# One build at a time per folder within this process; the files themselves are replaced atomically.
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class ZipPart:
    index: int  # 1-based
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def finished_files(session: Session, batch: Batch) -> list[Path]:
    """The files of the batch's succeeded jobs that are still on disk inside its folder, item by
    item (items in file order, each item's jobs oldest first)."""
    root = Path(batch.out_dir).resolve()
    by_item: dict[str, list[Job]] = {}
    for job in session.scalars(select(Job).where(Job.batch_id == batch.id).order_by(Job.id)):
        by_item.setdefault(job.item_key or "", []).append(job)
    found: list[Path] = []
    for jobs in by_item.values():
        for job in jobs:
            if job.state != JobState.SUCCEEDED:
                continue
            for output in job.outputs or []:
                raw = output.get("path")
                if not raw:
                    continue
                path = Path(raw).resolve()
                # Only what the batch itself wrote: an output path is data, not a licence to read anywhere.
                if path.is_relative_to(root) and path.is_file() and path not in found:
                    found.append(path)
    return found


def built_parts(
    out_dir: Path, files: Sequence[Path], *, max_part_bytes: int | None = None
) -> list[ZipPart] | None:
    """The parts already built from exactly ``files`` (``[]`` for no files); None when they were
    never built, or ``files`` changed since. Builds nothing. Raises :class:`OSError` when a file
    cannot be read."""
    if not files:
        return []
    folder = Path(out_dir) / ZIP_FOLDER
    known = _read_manifest(folder)
    if known is None or known[0] != _signature(files, _limit(max_part_bytes)):
        return None
    parts = [folder / Path(name).name for name in known[1]]
    return _numbered(parts) if all(part.is_file() for part in parts) else None


def zip_parts(
    batch_id: int, out_dir: Path, files: Sequence[Path], *, max_part_bytes: int | None = None
) -> list[ZipPart]:
    """The ZIP parts of ``files`` (``[]`` when there are none), rebuilt only when ``files`` changed.

    Raises :class:`OSError` when a file cannot be read or the folder written, :class:`ValueError`
    when two files share a name.
    """
    limit = _limit(max_part_bytes)
    folder = Path(out_dir) / ZIP_FOLDER
    with _lock(folder):
        ready = built_parts(out_dir, files, max_part_bytes=limit)
        if ready is not None and files:
            return ready
        known = _read_manifest(folder)
        if known is not None:
            for name in known[1]:
                (folder / Path(name).name).unlink(missing_ok=True)
        if not files:
            (folder / MANIFEST).unlink(missing_ok=True)
            return []
        folder.mkdir(parents=True, exist_ok=True)
        signature = _signature(files, limit)
        parts = write_zip_parts(files, folder, f"batch_{batch_id}", max_part_bytes=limit)
        manifest = {"signature": signature, "parts": [part.name for part in parts]}
        write_text_atomically(folder / MANIFEST, json.dumps(manifest))
        return _numbered(parts)


def _limit(max_part_bytes: int | None) -> int:
    return max_part_bytes if max_part_bytes is not None else MAX_PART_BYTES


def _numbered(parts: list[Path]) -> list[ZipPart]:
    return [ZipPart(index, path) for index, path in enumerate(parts, start=1)]


def _signature(files: Sequence[Path], limit: int) -> str:
    described: list[object] = [limit]
    for path in files:
        stat = path.stat()
        described.append([path.name, stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(json.dumps(described).encode("utf-8")).hexdigest()


def _read_manifest(folder: Path) -> tuple[str, list[str]] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return str(data["signature"]), [str(name) for name in data["parts"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _lock(folder: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(folder.resolve(), threading.Lock())
