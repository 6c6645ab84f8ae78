"""Frame sizes and camera moves."""

from __future__ import annotations

import numpy as np
import pytest

from framecast.core.errors import InvalidInputError
from framecast.providers.base import Aspect
from framecast.providers.offline.camera import CameraMove, frame_size


@pytest.mark.parametrize(
    ("aspect", "short_side", "size"),
    [
        (Aspect.LANDSCAPE, 720, (1280, 720)),
        (Aspect.PORTRAIT, 720, (720, 1280)),
        (Aspect.SQUARE, 720, (720, 720)),
        (Aspect.LANDSCAPE, 1080, (1920, 1080)),
        (Aspect.LANDSCAPE, 145, (256, 144)),  # odd sides are rounded to even ones
        (Aspect.PORTRAIT, 250, (250, 444)),
    ],
)
def test_frame_sizes_follow_the_aspect_and_are_even(
    aspect: Aspect, short_side: int, size: tuple[int, int]
) -> None:
    assert frame_size(aspect, short_side) == size


@pytest.mark.parametrize("short_side", [0, 63, 2161])
def test_unreasonable_sizes_are_refused(short_side: int) -> None:
    with pytest.raises(InvalidInputError, match="short_side"):
        frame_size(Aspect.LANDSCAPE, short_side)


def test_a_camera_at_rest_shows_the_scene_unchanged() -> None:
    scene = np.random.default_rng(0).integers(0, 255, (36, 64, 3), dtype=np.uint8)
    assert (CameraMove().film(scene, 0.5, (64, 36)) == scene).all()


def test_the_view_never_leaves_the_scene_even_when_asked_to() -> None:
    move = CameraMove(1.2, 1.2, (0.0, 0.0), (1.0, 1.0))  # centres at the very corners
    for t in (0.0, 0.5, 1.0):
        matrix = move.matrix(t, (200, 100), (64, 36))
        scale, offset_x, offset_y = matrix[0, 0], matrix[0, 2], matrix[1, 2]
        # The output's corners map back inside the scene.
        left, top = -offset_x / scale, -offset_y / scale
        right, bottom = (64 - offset_x) / scale, (36 - offset_y) / scale
        assert 0 <= left < right <= 200 + 1e-9
        assert 0 <= top < bottom <= 100 + 1e-9


def test_a_push_in_starts_on_the_whole_frame_and_ends_closer() -> None:
    move = CameraMove.push_in(np.random.default_rng(1))
    assert move.matrix(0.0, (64, 36), (64, 36))[0, 0] == pytest.approx(1.0)
    assert move.matrix(1.0, (64, 36), (64, 36))[0, 0] > 1.05
