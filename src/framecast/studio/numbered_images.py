"""Numbered start images for B-roll footage, and which prompt gets which image.

An image's number is the run of ASCII digits that forms its whole stem (``10.jpg`` → 10) or comes
before its first ``_`` (``1_broll_1.jpg`` → 1, ``2_x.png`` → 2). Images named otherwise
(``cover.jpg``, ``3abc.png``) are not numbered and are left out.

An item is matched to the image numbered by its ``image_number``, or, without one, by its id when the
id is a number. Several items may share an image (one image, many prompts); images no item asks for
are simply unused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from framecast.core.errors import InvalidInputError
from framecast.studio.batch_input import BatchItem

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
# Nine digits at most keeps int() away from Python's limit on huge digit strings.
_NUMBERED_STEM = re.compile(r"([0-9]{1,9})(?:_.*)?", re.DOTALL)
_NUMERIC_KEY = re.compile(r"[0-9]{1,9}")


def image_number_of(path: Path) -> int | None:
    """The number in an image's name, or ``None`` when the name carries none."""
    match = _NUMBERED_STEM.fullmatch(path.stem)
    return int(match.group(1)) if match else None


def index_numbered_images(folder: Path) -> dict[int, Path]:
    """Map image number → image file for the numbered jpg/jpeg/png/webp files directly in ``folder``.

    Extensions are compared without case; other files and sub-folders are ignored. Raises
    :class:`InvalidInputError` when ``folder`` is not a folder, when two images carry the same number
    (``1_a.jpg`` and ``01.png``), naming both, or when there is no numbered image at all.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInputError(f"image folder not found: {folder}")
    images: dict[int, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            continue
        number = image_number_of(path)
        if number is None:
            continue
        if number in images:
            raise InvalidInputError(
                f"two images are numbered {number}: {images[number].name} and {path.name}; "
                "keep one or renumber the other"
            )
        images[number] = path
    if not images:
        raise InvalidInputError(
            f"no numbered images in {folder}: name them with a leading number, "
            "such as 1_broll.jpg, 2_x.png or 10.jpg"
        )
    return images


def match_images(items: Iterable[BatchItem], images: dict[int, Path]) -> list[tuple[BatchItem, Path]]:
    """Pair every item with its image, in item order.

    Raises :class:`InvalidInputError` naming the item and its line when the item has no
    ``image_number`` and a non-numeric id, or when no image carries its number.
    """
    pairs: list[tuple[BatchItem, Path]] = []
    for item in items:
        number = item.image_number
        if number is None:
            if not _NUMERIC_KEY.fullmatch(item.key):
                raise InvalidInputError(
                    f"item {item.key!r}{_where(item)} has no image_number and its id is not a number, "
                    "so no image can be chosen for it; add an image_number column"
                )
            number = int(item.key)
        image = images.get(number)
        if image is None:
            raise InvalidInputError(f"no image numbered {number} for item {item.key!r}{_where(item)}")
        pairs.append((item, image))
    return pairs


def _where(item: BatchItem) -> str:
    return f" (line {item.line})" if item.line else ""
