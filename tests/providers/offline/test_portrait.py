from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from framecast.providers.offline.portrait import (
    MOUTH_INSIDE,
    default_portrait,
    default_portrait_png,
    draw_blink,
    draw_mouth,
    eye_boxes,
    mouth_box,
)


def dark_pixels(image: np.ndarray) -> int:
    """Pixels as dark as the inside of an open mouth, in the mouth of a 512 portrait (the region
    stays inside the face: the hair below the chin is as dark)."""
    box = mouth_box(512)
    y0, y1 = box.center_y - box.max_half_open - 4, box.center_y + box.max_half_open + 4
    x0, x1 = box.center_x - box.half_width, box.center_x + box.half_width
    grey = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    return int((grey < 55).sum())


def test_the_portrait_is_the_same_square_bgr_image_on_every_call() -> None:
    first = default_portrait()

    assert first.shape == (512, 512, 3)
    assert first.dtype == np.uint8
    assert np.array_equal(first, default_portrait())
    assert default_portrait(256).shape == (256, 256, 3)


def test_the_portrait_is_a_picture_not_a_flat_fill() -> None:
    image = default_portrait()

    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 500
    # The face (skin) is in the middle, the backdrop in the corners.
    assert abs(int(image[240, 256, 2]) - 236) < 30
    assert not np.array_equal(image[5, 5], image[240, 256])


def test_the_mouthless_portrait_differs_only_around_the_mouth() -> None:
    with_mouth, without = default_portrait(), default_portrait(mouth=False)
    box = mouth_box(512)

    changed = np.argwhere((with_mouth != without).any(axis=2))
    assert len(changed) > 50
    assert np.all(np.abs(changed[:, 0] - box.center_y) <= box.half_width)
    assert np.all(np.abs(changed[:, 1] - box.center_x) <= box.half_width + 4)


def test_the_mouth_box_scales_with_the_size() -> None:
    small, large = mouth_box(256), mouth_box(512)

    assert (large.center_x, large.center_y) == (256, round(512 * 0.635))
    assert abs(large.half_width - 2 * small.half_width) <= 1
    assert 0 < large.max_half_open < large.half_width


def test_an_open_mouth_shows_a_dark_inside_that_grows_with_the_opening() -> None:
    base = default_portrait(mouth=False)
    counts = []
    for opening in (0.0, 0.3, 0.6, 1.0):
        image = base.copy()
        draw_mouth(image, mouth_box(512), opening)
        counts.append(dark_pixels(image))

    assert counts[0] == 0
    assert counts[1] < counts[2] < counts[3]
    assert counts[3] > 300


def test_draw_mouth_paints_the_inside_colour_at_the_centre() -> None:
    image = default_portrait(mouth=False)
    box = mouth_box(512)

    draw_mouth(image, box, 1.0)

    assert tuple(int(c) for c in image[box.center_y, box.center_x]) == MOUTH_INSIDE


def test_a_blink_covers_the_whites_of_the_eyes() -> None:
    def white_pixels(image: np.ndarray) -> int:
        total = 0
        for cx, cy, ax, ay in eye_boxes(512):
            patch = image[cy - ay : cy + ay + 1, cx - ax : cx + ax + 1]
            total += int((patch.min(axis=2) > 240).sum())
        return total

    open_eyes = default_portrait()
    half, shut = open_eyes.copy(), open_eyes.copy()
    draw_blink(half, 512, 0.5)
    draw_blink(shut, 512, 1.0)

    assert white_pixels(open_eyes) > 200
    assert 0 < white_pixels(half) < white_pixels(open_eyes)
    assert white_pixels(shut) == 0
    untouched = open_eyes.copy()
    draw_blink(untouched, 512, 0.0)
    assert np.array_equal(untouched, open_eyes)


def test_the_png_holds_the_portrait(tmp_path: Path) -> None:
    path = default_portrait_png(tmp_path / "poster" / "tutor.png")

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(cv2.imread(str(path)), default_portrait())


def test_a_tiny_portrait_is_refused() -> None:
    with pytest.raises(ValueError, match="64 pixels"):
        default_portrait(32)
