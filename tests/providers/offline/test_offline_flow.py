"""Frames-to-video interpolation: it follows motion (flow), it does not just cross-fade."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from tests.providers.offline.offline_media import Frame, mad, structured

from framecast.providers.offline.flow import FlowInterpolator, interpolation_frames, push_in_frames
from framecast.providers.offline.optical_flow import dominant_shifts, estimate_flow

BACKGROUND = (40, 60, 90)
SQUARE = (250, 200, 40)


def _square_at(x: int, *, size: int = 30, width: int = 256, height: int = 144) -> Frame:
    image = np.zeros((height, width, 3), np.uint8)
    image[:] = BACKGROUND
    top = (height - size) // 2
    image[top : top + size, x : x + size] = SQUARE
    return image


def _grey(image: Frame) -> Frame:
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def _square_pixels(image: Frame) -> np.ndarray:
    return (image[:, :, 0] > 200) & (image[:, :, 2] < 100)


def test_the_ends_of_the_interpolation_are_the_frames_themselves() -> None:
    start, end = structured(256, 144, 1), structured(256, 144, 2)
    interpolator = FlowInterpolator(start, end)

    assert (interpolator.frame(0.0) == start).all()
    assert (interpolator.frame(1.0) == end).all()


def test_a_square_moving_further_than_its_size_is_half_way_in_the_middle() -> None:
    start, end = _square_at(20), _square_at(100)  # 80 px apart: no overlap, so no cross-fade can fake it

    middle = FlowInterpolator(start, end).frame(0.5)

    found = _square_pixels(middle)
    ys, xs = np.nonzero(found)
    assert found.sum() == pytest.approx(30 * 30, rel=0.1)  # one whole, solid square
    assert xs.mean() == pytest.approx(60 + 15, abs=2)  # centred half-way between 35 and 115
    assert ys.mean() == pytest.approx(72, abs=2)
    # Where the square was and where it will be, the background shows (no half-faded ghosts).
    assert mad(middle[57:87, 20:50], _square_at(200)[57:87, 20:50]) < 8
    assert mad(middle[57:87, 100:130], _square_at(200)[57:87, 100:130]) < 8


def test_a_textured_square_on_a_textured_background_is_carried_along() -> None:
    backdrop = structured(256, 144, 7)
    pattern = structured(40, 40, 8)

    def scene(x: int) -> Frame:
        image = backdrop.copy()
        image[52:92, x : x + 40] = pattern
        return image

    middle = FlowInterpolator(scene(40), scene(100)).frame(0.5)

    assert mad(middle[52:92, 70:110], pattern) < 12
    assert mad(middle[52:92, 70:110], pattern) < mad(middle[52:92, 40:80], pattern) / 3


def test_a_camera_pan_is_reproduced_far_better_than_by_a_cross_fade() -> None:
    world = structured(420, 200, 3)
    start, end = world[20:164, 40:296], world[36:180, 104:360]  # the camera moves 64 right, 16 down
    truth = world[28:172, 72:328]  # half-way

    middle = FlowInterpolator(start, end).frame(0.5)
    cross_fade = ((start.astype(np.uint16) + end) // 2).astype(np.uint8)

    assert mad(middle, truth) < 4
    assert mad(middle, truth) < mad(cross_fade, truth) / 5


def test_interpolated_frames_go_steadily_from_start_to_end() -> None:
    start, end = structured(256, 144, 4), structured(256, 144, 5)
    frames = list(interpolation_frames(start, end, 9))

    distance_to_start = [mad(frame, start) for frame in frames]
    assert distance_to_start[0] == 0
    assert frames[-1].tobytes() == end.tobytes()
    assert distance_to_start == sorted(distance_to_start)


def test_the_dominant_shift_of_a_moved_picture_is_found() -> None:
    world = _grey(structured(300, 200, 6))
    first, second = world[20:164, 10:266], world[30:174, 35:291]  # content moves 25 left, 10 up

    assert (-25, -10) in dominant_shifts(first, second)[:2]


def test_flow_points_from_each_pixel_to_where_it_went() -> None:
    world = _grey(structured(300, 200, 9))
    first, second = world[20:164, 30:286], world[20:164, 18:274]  # content moves 12 px right

    flow = estimate_flow(first, second)

    inner = flow[20:-20, 20:-20]
    assert np.median(inner[..., 0]) == pytest.approx(12, abs=0.5)
    assert np.median(inner[..., 1]) == pytest.approx(0, abs=0.5)


def test_without_an_end_frame_the_camera_pushes_in_from_the_whole_picture() -> None:
    start = structured(192, 108, 10)
    frames = list(push_in_frames(start, 8, np.random.default_rng(0)))

    assert mad(frames[0], start) < 1
    assert mad(frames[-1], start) > 5
    assert all(frame.shape == start.shape for frame in frames)
