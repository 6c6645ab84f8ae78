"""A batch's finished files as ZIP parts of at most ``MAX_PART_BYTES``, built when asked for.

Parts are written by :func:`framecast.studio.zips.write_zip_parts` into ``<batch out_dir>/zips/``
beside a small ``parts.json`` that records which files (name, size, modification time) and which
part size they were built from. Asking again returns the same parts while that is unchanged, and
rebuilds them (removing the old ones) when a file was added, replaced or deleted.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from framecast.core.files import write_text_atomically
from framecast.studio.zips import DEFAULT_MAX_PART_BYTES, write_zip_parts

# The largest part; tests lower it (any value is read when the parts are built).
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


def zip_parts(
    batch_id: int, out_dir: Path, files: Sequence[Path], *, max_part_bytes: int | None = None
) -> list[ZipPart]:
    """The ZIP parts of ``files`` (``[]`` when there are none), rebuilt only when ``files`` changed.

    Raises :class:`OSError` when a file cannot be read or the folder written.
    """
    limit = max_part_bytes if max_part_bytes is not None else MAX_PART_BYTES
    folder = Path(out_dir) / ZIP_FOLDER
    signature = _signature(files, limit)
    with _lock(folder):
        known = _read_manifest(folder)
        if known is not None and known[0] == signature:
            parts = [folder / name for name in known[1]]
            if all(part.is_file() for part in parts):
                return _numbered(parts)
        if known is not None:
            for name in known[1]:
                (folder / Path(name).name).unlink(missing_ok=True)
        if not files:
            (folder / MANIFEST).unlink(missing_ok=True)
            return []
        folder.mkdir(parents=True, exist_ok=True)
        parts = write_zip_parts(files, folder, f"batch_{batch_id}", max_part_bytes=limit)
        manifest = {"signature": signature, "parts": [part.name for part in parts]}
        write_text_atomically(folder / MANIFEST, json.dumps(manifest))
        return _numbered(parts)


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
