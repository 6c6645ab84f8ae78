from __future__ import annotations

import random
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framecast.studio.zips import write_zip_parts


def make_files(folder: Path, sizes: list[int], suffix: str = ".mp4", seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for number, size in enumerate(sizes, start=1):
        path = folder / f"item{number}{suffix}"
        # Random bytes do not compress: the worst case for the size accounting.
        path.write_bytes(rng.randbytes(size))
        paths.append(path)
    return paths


def names_in(part: Path) -> list[str]:
    with zipfile.ZipFile(part) as archive:
        return archive.namelist()


def archived(parts: list[Path]) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    for part in parts:
        with zipfile.ZipFile(part) as archive:
            assert archive.testzip() is None
            for name in archive.namelist():
                contents[name] = archive.read(name)
    return contents


def test_files_that_fit_go_into_one_zip_named_after_the_stem(tmp_path: Path) -> None:
    files = make_files(tmp_path, [100, 200, 300])
    out = tmp_path / "out"
    out.mkdir()

    parts = write_zip_parts(files, out, "batch")

    assert parts == [out / "batch.zip"]
    assert archived(parts) == {path.name: path.read_bytes() for path in files}


def test_files_are_split_into_numbered_parts_under_the_limit(tmp_path: Path) -> None:
    files = make_files(tmp_path, [700] * 10)
    out = tmp_path / "out"
    out.mkdir()

    parts = write_zip_parts(files, out, "batch", max_part_bytes=2000)

    assert parts == [out / f"batch_part{n}.zip" for n in range(1, 6)]
    assert all(part.stat().st_size <= 2000 for part in parts)
    assert archived(parts) == {path.name: path.read_bytes() for path in files}
    assert names_in(parts[0]) == ["item1.mp4", "item2.mp4"]


def test_a_file_bigger_than_the_limit_goes_alone_in_its_part(tmp_path: Path) -> None:
    files = make_files(tmp_path, [300, 5000, 300])
    out = tmp_path / "out"
    out.mkdir()

    parts = write_zip_parts(files, out, "b", max_part_bytes=2000)

    assert [names_in(part) for part in parts] == [["item1.mp4"], ["item2.mp4"], ["item3.mp4"]]
    assert archived(parts)["item2.mp4"] == files[1].read_bytes()


def test_media_is_stored_and_text_is_deflated(tmp_path: Path) -> None:
    video, image = make_files(tmp_path, [50, 50], ".mp4")[0], make_files(tmp_path, [50], ".PNG")[0]
    table = tmp_path / "results.csv"
    table.write_text("id,prompt\n" * 100, encoding="utf-8")

    [part] = write_zip_parts([video, image, table], tmp_path, "all")

    with zipfile.ZipFile(part) as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds == {
        "item1.mp4": zipfile.ZIP_STORED,
        "item1.PNG": zipfile.ZIP_STORED,
        "results.csv": zipfile.ZIP_DEFLATED,
    }


def test_no_files_write_no_zip(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    assert write_zip_parts([], out, "batch") == []
    assert list(out.iterdir()) == []


def test_two_files_with_one_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "x.mp4", tmp_path / "b" / "x.mp4"
    first.write_bytes(b"1")
    second.write_bytes(b"2")

    with pytest.raises(ValueError, match=r"two files are both named 'x\.mp4'"):
        write_zip_parts([first, second], tmp_path, "batch")


@pytest.mark.parametrize("stem", ["", "../up", "a/b", ".hidden"])
def test_a_stem_that_is_not_a_plain_name_is_refused(tmp_path: Path, stem: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        write_zip_parts(make_files(tmp_path, [1]), tmp_path, stem)


def test_a_limit_too_small_for_any_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too small"):
        write_zip_parts(make_files(tmp_path, [1]), tmp_path, "b", max_part_bytes=100)


def test_a_missing_file_fails_before_any_zip_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises(FileNotFoundError):
        write_zip_parts([*make_files(tmp_path, [10]), tmp_path / "gone.mp4"], out, "b")
    assert list(out.iterdir()) == []


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=12),
    max_part_bytes=st.integers(600, 6000),
    suffix=st.sampled_from([".mp4", ".png", ".csv"]),
    seed=st.integers(0, 1000),
)
def test_every_part_respects_the_limit_and_nothing_is_lost(
    sizes: list[int], max_part_bytes: int, suffix: str, seed: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = make_files(Path(folder), sizes, suffix, seed)
        out = Path(folder) / "out"
        out.mkdir()

        parts = write_zip_parts(files, out, "batch", max_part_bytes=max_part_bytes)

        for part in parts:
            [*_, last] = names = names_in(part)
            # Only a file too big for any part may take a part over the limit (headers take < 350 bytes).
            oversized = len(names) == 1 and (out.parent / last).stat().st_size + 350 > max_part_bytes
            assert oversized or part.stat().st_size <= max_part_bytes
        assert archived(parts) == {path.name: path.read_bytes() for path in files}
        assert sorted(path.name for path in out.iterdir()) == sorted(part.name for part in parts)
        assert [name for part in parts for name in names_in(part)] == [path.name for path in files]
