from __future__ import annotations

from pathlib import Path

import pytest

from framecast.core.errors import InvalidInputError
from framecast.studio.batch_input import BatchItem
from framecast.studio.numbered_images import image_number_of, index_numbered_images, match_images


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"image")


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("1_broll_1.jpg", 1),
        ("2_x.png", 2),
        ("10.jpg", 10),
        ("007_intro.webp", 7),
        ("3_.jpeg", 3),
        ("3abc.jpg", None),
        ("broll_1.jpg", None),
        ("_1.jpg", None),
        ("1 2.jpg", None),
        ("\u0661.jpg", None),  # ARABIC-INDIC DIGIT ONE: only ASCII digits number an image
    ],
)
def test_the_number_is_the_leading_digits_before_an_underscore_or_the_whole_stem(
    name: str, number: int | None
) -> None:
    assert image_number_of(Path(name)) == number


def test_numbered_images_are_indexed_and_other_files_ignored(tmp_path: Path) -> None:
    touch(
        tmp_path, "1_broll_1.jpg", "2_x.PNG", "10.Jpeg", "11_y.WEBP", "3_notes.txt", "cover.jpg", ".DS_Store"
    )
    (tmp_path / "4_folder.jpg").mkdir()

    assert index_numbered_images(tmp_path) == {
        1: tmp_path / "1_broll_1.jpg",
        2: tmp_path / "2_x.PNG",
        10: tmp_path / "10.Jpeg",
        11: tmp_path / "11_y.WEBP",
    }


def test_two_images_with_one_number_are_refused_naming_both(tmp_path: Path) -> None:
    touch(tmp_path, "1_a.jpg", "01.png", "2.png")

    with pytest.raises(InvalidInputError) as caught:
        index_numbered_images(tmp_path)

    assert str(caught.value).startswith("two images are numbered 1: 01.png and 1_a.jpg;")


def test_a_folder_without_numbered_images_is_refused(tmp_path: Path) -> None:
    touch(tmp_path, "cover.jpg", "1_readme.txt")

    with pytest.raises(InvalidInputError, match=r"no numbered images in .*such as 1_broll\.jpg"):
        index_numbered_images(tmp_path)


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="image folder not found"):
        index_numbered_images(tmp_path / "nope")


def test_items_are_matched_by_image_number_else_by_numeric_id(tmp_path: Path) -> None:
    images = {1: tmp_path / "1.jpg", 2: tmp_path / "2_b.png", 10: tmp_path / "10.jpg"}
    by_number = BatchItem("intro", "p", image_number=10, line=2)
    by_id = BatchItem("2", "p", line=3)
    number_wins = BatchItem("1", "p", image_number=2, line=4)
    shared = BatchItem("again", "p", image_number=10, line=5)

    pairs = match_images([by_number, by_id, number_wins, shared], images)

    assert pairs == [
        (by_number, images[10]),
        (by_id, images[2]),
        (number_wins, images[2]),
        (shared, images[10]),
    ]


def test_a_missing_image_names_the_item_and_its_line(tmp_path: Path) -> None:
    item = BatchItem("x", "p", image_number=7, line=12)

    with pytest.raises(InvalidInputError) as caught:
        match_images([item], {1: tmp_path / "1.jpg"})

    assert str(caught.value) == "no image numbered 7 for item 'x' (line 12)"


def test_a_numeric_id_without_its_image_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        match_images([BatchItem("3", "p", line=4)], {1: tmp_path / "1.jpg"})

    assert str(caught.value) == "no image numbered 3 for item '3' (line 4)"


@pytest.mark.parametrize("key", ["intro", "2 AROLL", "3.0", "²"])
def test_an_item_with_no_image_number_and_a_non_numeric_id_is_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        match_images([BatchItem(key, "p", line=6)], {2: tmp_path / "2.jpg"})

    assert str(caught.value).startswith(
        f"item {key!r} (line 6) has no image_number and its id is not a number"
    )
