"""Atomic writes: a reader sees the old file or the new one, never half, and no temporary is left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from framecast.core.files import write_bytes_atomically, write_text_atomically


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
    assert os.stat(path).st_mode & 0o777 == 0o644


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
