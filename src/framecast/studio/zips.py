"""Batch results as ZIP archives no larger than a limit (200 MiB by default), for download.

Files are packed in the order given, so an item's files stay together, and a new part starts when
the next file would push the current one over the limit. Each file's cost is counted
conservatively: its size (or zlib's worst-case deflate size for files we compress), plus local and
central headers with ZIP64 fields and a data descriptor, plus the end records once per archive.
A single file bigger than the limit cannot be split, so it goes alone into a part of its own, which
is then the one part allowed over the limit.

Media (mp4, png, jpeg …) is already compressed and is stored as is; other files (csv, txt) are
deflated. Contents are streamed from disk, never read whole into memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from framecast.core.files import atomic_file

DEFAULT_MAX_PART_BYTES = 200 * 1024 * 1024
STORED_SUFFIXES = frozenset(
    {".mp4", ".mov", ".webm", ".m4a", ".mp3", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".zip"}
)
# End of central directory (22) + ZIP64 end record (56) + ZIP64 locator (20), rounded up.
ARCHIVE_OVERHEAD = 128
# Local header (30) + central header (46) + ZIP64 extras (20 + 28) + data descriptor (24), rounded up;
# the entry's name is stored twice on top of this.
ENTRY_OVERHEAD = 160


@dataclass(frozen=True)
class _Entry:
    path: Path
    arcname: str
    compress_type: int
    cost: int


def write_zip_parts(
    files: Sequence[Path],
    dest_dir: Path,
    stem: str,
    *,
    max_part_bytes: int = DEFAULT_MAX_PART_BYTES,
) -> list[Path]:
    """Pack ``files`` into ``<stem>.zip``, or ``<stem>_part1.zip`` … when they need several parts.

    Entries are named by the files' base names. Returns the archives written, in order; an empty
    ``files`` writes nothing and returns ``[]``. Each archive is written to a temporary file and
    renamed into place (:func:`~framecast.core.files.atomic_file`); archives from an earlier call
    with other files are not removed, so use the returned list. Raises :class:`ValueError` for a
    ``stem`` that is not a plain file name, two files with the same base name, or a
    ``max_part_bytes`` too small to hold any file; :class:`OSError` when a file cannot be read or
    ``dest_dir`` written.
    """
    if not stem or stem != Path(stem).name or stem.startswith("."):
        raise ValueError(f"zip stem must be a plain file name, got {stem!r}")
    if max_part_bytes <= ARCHIVE_OVERHEAD + ENTRY_OVERHEAD:
        raise ValueError(f"max_part_bytes is too small: {max_part_bytes}")
    parts = _plan_parts([_entry(Path(path)) for path in files], max_part_bytes)
    _refuse_duplicate_names([entry for part in parts for entry in part])
    dest_dir = Path(dest_dir)
    if len(parts) == 1:
        names = [f"{stem}.zip"]
    else:
        names = [f"{stem}_part{number}.zip" for number in range(1, len(parts) + 1)]
    written = []
    for name, part in zip(names, parts, strict=True):
        target = dest_dir / name
        _write_archive(target, part)
        written.append(target)
    return written


def _entry(path: Path) -> _Entry:
    size = path.stat().st_size
    if path.suffix.lower() in STORED_SUFFIXES:
        compress_type, data_bytes = zipfile.ZIP_STORED, size
    else:
        # zlib's compressBound: what deflate can grow incompressible data to.
        compress_type = zipfile.ZIP_DEFLATED
        data_bytes = size + (size >> 12) + (size >> 14) + (size >> 25) + 13
    arcname = path.name
    cost = data_bytes + ENTRY_OVERHEAD + 2 * len(arcname.encode("utf-8"))
    return _Entry(path, arcname, compress_type, cost)


def _plan_parts(entries: list[_Entry], max_part_bytes: int) -> list[list[_Entry]]:
    parts: list[list[_Entry]] = []
    current: list[_Entry] = []
    used = ARCHIVE_OVERHEAD
    for entry in entries:
        if current and used + entry.cost > max_part_bytes:
            parts.append(current)
            current, used = [], ARCHIVE_OVERHEAD
        current.append(entry)
        used += entry.cost
    if current:
        parts.append(current)
    return parts


def _refuse_duplicate_names(entries: list[_Entry]) -> None:
    seen: dict[str, Path] = {}
    for entry in entries:
        if entry.arcname in seen:
            raise ValueError(
                f"two files are both named {entry.arcname!r}: {seen[entry.arcname]} and {entry.path}"
            )
        seen[entry.arcname] = entry.path


def _write_archive(target: Path, entries: list[_Entry]) -> None:
    # strict_timestamps=False: a file dated before 1980 must not make the archive fail.
    with (
        atomic_file(target) as handle,
        zipfile.ZipFile(handle, "w", allowZip64=True, strict_timestamps=False) as archive,
    ):
        for entry in entries:
            # ZipFile.write copies in small chunks: nothing is read whole into memory.
            archive.write(entry.path, entry.arcname, compress_type=entry.compress_type)
