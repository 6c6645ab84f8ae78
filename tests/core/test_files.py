"""Atomic writes (a reader sees the old file or the new one, never half, and no temporary is left),
leftovers of a crash cleared, a private data dir, a full disk recognised."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from framecast.core.files import (
    is_disk_full,
    private_data_dir,
    remove_leftovers,
    write_bytes_atomically,
    write_text_atomically,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of our own (tmp_path also holds the suite's data and work folders)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_a_write_replaces_the_file_and_leaves_no_temporary(folder: Path) -> None:
    path = folder / "results.csv"
    path.write_text("old", encoding="utf-8")

    write_text_atomically(path, "new\n")

    assert path.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in folder.iterdir()] == ["results.csv"]
    assert os.stat(path).st_mode & 0o777 == 0o600  # the data dir is private to its user


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(folder: Path) -> None:
    path = folder / "results.csv"
    path.write_text("old", encoding="utf-8")

    with pytest.raises(UnicodeEncodeError):
        write_text_atomically(path, "bad \ud800 surrogate")

    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in folder.iterdir()] == ["results.csv"]


def test_bytes_are_written_whole_and_the_folder_is_made(folder: Path) -> None:
    path = folder / "new" / "clip.mp3"

    write_bytes_atomically(path, b"ID3 speech")

    assert path.read_bytes() == b"ID3 speech"
    assert [p.name for p in path.parent.iterdir()] == ["clip.mp3"]


def test_half_written_files_left_by_a_crash_are_removed_but_not_ones_still_being_written(
    folder: Path,
) -> None:
    old = folder / "media" / ".clip.mp4.ab12.part"
    fresh = folder / "media" / ".other.mp4.cd34.part"
    kept = folder / "media" / "clip.mp4"
    for path in (old, fresh, kept):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    stale = time.time() - 3600
    os.utime(old, (stale, stale))
    (folder / ".results.csv.ef56.tmp").write_bytes(b"x")
    os.utime(folder / ".results.csv.ef56.tmp", (stale, stale))

    assert remove_leftovers(folder) == 2

    assert not old.exists()
    assert fresh.exists()
    assert kept.exists()


def test_the_data_dir_is_made_private_and_so_is_what_is_created_in_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    previous = os.umask(0o022)
    try:
        private_data_dir(data)
        (data / "db.sqlite").write_bytes(b"x")
        (data / "media").mkdir()
    finally:
        os.umask(previous)
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "db.sqlite").stat().st_mode & 0o777 == 0o600
    assert (data / "media").stat().st_mode & 0o777 == 0o700


def test_a_full_disk_is_told_from_other_failures() -> None:
    import errno
    import sqlite3

    from sqlalchemy.exc import OperationalError

    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(ValueError("no"))
