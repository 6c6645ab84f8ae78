"""The public render functions: real MP4s and PNGs of the right size, length and content."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction
from pathlib import Path
from typing import TypedDict

import numpy as np
import pytest
from PIL import Image
from tests.providers.offline.offline_media import (
    count_frames,
    mad,
    probe,
    save,
    structured,
    top_level_boxes,
)

from framecast.core.errors import InvalidInputError
from framecast.providers.base import Aspect
from framecast.providers.offline.input_images import cover_fit
from framecast.providers.offline.render import (
    render_frames_video,
    render_image,
    render_ingredients_video,
    render_text_video,
)

PROMPT = "A hot-air balloon over a patchwork of fields at dawn"


class Timing(TypedDict):
    seconds: float
    fps: int
    short_side: int


QUICK = Timing(seconds=1.0, fps=12, short_side=144)


@pytest.mark.parametrize(("aspect", "size"), [(Aspect.LANDSCAPE, (256, 144)), (Aspect.PORTRAIT, (144, 256))])
def test_text_video_is_browser_ready_h264_of_the_aspects_size(
    tmp_path: Path, aspect: Aspect, size: tuple[int, int]
) -> None:
    dest = render_text_video(PROMPT, aspect, tmp_path / "text.mp4", **QUICK)

    info = probe(dest)
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert (info.width, info.height) == size
    assert info.frame_rate == Fraction(12)
    assert len(info.frames) == 12
    assert info.duration_s == pytest.approx(1.0, abs=0.01)
    boxes = top_level_boxes(dest)
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_text_video_moves(tmp_path: Path) -> None:
    frames = probe(render_text_video(PROMPT, Aspect.LANDSCAPE, tmp_path / "text.mp4", **QUICK)).frames

    assert mad(frames[0], frames[-1]) > 2
    assert sum(mad(a, b) > 0.2 for a, b in itertools.pairwise(frames)) >= len(frames) - 2


def test_seeds_make_the_outputs_of_one_request_differ(tmp_path: Path) -> None:
    first = probe(render_text_video(PROMPT, Aspect.LANDSCAPE, tmp_path / "0.mp4", seed=0, **QUICK)).frames
    second = probe(render_text_video(PROMPT, Aspect.LANDSCAPE, tmp_path / "1.mp4", seed=1, **QUICK)).frames

    assert mad(first[0], second[0]) > 5


@pytest.mark.parametrize(
    ("seconds", "fps", "short_side", "problem"),
    [
        (0.0, 12, 144, "seconds"),
        (600.0, 12, 144, "seconds"),
        (1.0, 0, 144, "fps"),
        (1.0, 12, 10, "short_side"),
    ],
)
def test_out_of_range_settings_are_refused_before_anything_is_written(
    tmp_path: Path, seconds: float, fps: int, short_side: int, problem: str
) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        render_text_video(
            PROMPT, Aspect.LANDSCAPE, tmp_path / "text.mp4", seconds=seconds, fps=fps, short_side=short_side
        )

    assert not (tmp_path / "text.mp4").exists()


@pytest.mark.slow
def test_the_default_clip_is_eight_seconds_of_720p_at_24_fps(tmp_path: Path) -> None:
    started = time.perf_counter()
    dest = render_text_video(PROMPT, Aspect.LANDSCAPE, tmp_path / "default.mp4")
    elapsed = time.perf_counter() - started

    info = probe(dest, decode=False)
    assert (info.codec, info.pix_fmt, info.width, info.height) == ("h264", "yuv420p", 1280, 720)
    assert info.frame_rate == Fraction(24)
    assert info.duration_s == pytest.approx(8.0, abs=0.01)
    assert count_frames(dest) == 192
    print(f"default 8 s 720p text-to-video clip rendered in {elapsed:.1f} s")  # for the record, not asserted


def test_frames_video_goes_from_the_start_frame_to_the_end_frame(tmp_path: Path) -> None:
    start = save(structured(320, 180, 1), tmp_path / "start.png")
    end = save(structured(320, 180, 2), tmp_path / "end.png")

    dest = render_frames_video(PROMPT, start, end, Aspect.LANDSCAPE, tmp_path / "frames.mp4", **QUICK)

    info = probe(dest)
    assert (info.codec, info.width, info.height, len(info.frames)) == ("h264", 256, 144, 12)
    a = cover_fit(structured(320, 180, 1), 256, 144)
    b = cover_fit(structured(320, 180, 2), 256, 144)
    first, middle, last = info.frames[0], info.frames[6], info.frames[-1]
    assert mad(first, a) < 6  # what the encoder loses at 144p
    assert mad(last, b) < 6
    assert mad(first, a) * 3 < mad(middle, a) < mad(b, a)
    assert mad(last, b) * 3 < mad(middle, b) < mad(a, b)


def test_frames_video_carries_a_moving_square_through_the_middle(tmp_path: Path) -> None:
    def square_at(x: int) -> np.ndarray:
        image = np.full((144, 256, 3), (30, 50, 80), np.uint8)
        image[57:87, x : x + 30] = (250, 200, 40)
        return image

    start = save(square_at(20), tmp_path / "start.png")
    end = save(square_at(180), tmp_path / "end.png")

    dest = render_frames_video(
        PROMPT, start, end, Aspect.LANDSCAPE, tmp_path / "square.mp4", seconds=1.0, fps=13, short_side=144
    )
    frames = probe(dest).frames

    middle = frames[6]  # t = 0.5 of 13 frames
    bright = (middle[:, :, 0] > 200) & (middle[:, :, 2] < 110)
    xs = np.nonzero(bright)[1]
    assert bright.sum() > 0.8 * 30 * 30
    assert xs.mean() == pytest.approx(100 + 15, abs=3)
    # No ghosts where it was or will be.
    assert middle[72, 35, 0] < 90
    assert middle[72, 195, 0] < 90


def test_frames_video_without_an_end_frame_pushes_in_on_the_start_frame(tmp_path: Path) -> None:
    start = save(structured(256, 144, 3), tmp_path / "start.jpg", quality=95)

    frames = probe(
        render_frames_video(PROMPT, start, None, Aspect.LANDSCAPE, tmp_path / "push.mp4", **QUICK)
    ).frames

    assert mad(frames[0], structured(256, 144, 3)) < 5
    assert mad(frames[-1], frames[0]) > 5


def test_frames_video_names_an_unreadable_end_frame(tmp_path: Path) -> None:
    start = save(structured(64, 36, 1), tmp_path / "start.png")
    broken = tmp_path / "broken-end.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")

    with pytest.raises(InvalidInputError, match=r"broken-end\.png"):
        render_frames_video(PROMPT, start, broken, Aspect.LANDSCAPE, tmp_path / "out.mp4", **QUICK)

    assert not (tmp_path / "out.mp4").exists()


def _solid(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (120, 90)) -> Path:
    image = np.zeros((size[1], size[0], 3), np.uint8)
    image[:] = colour
    image[::10] = (255, 255, 255)  # a little structure
    return save(image, path)


def _share(frame: np.ndarray, channel: int) -> float:
    """Fraction of the frame that is strongly of one primary colour."""
    others = [c for c in range(3) if c != channel]
    strong = (frame[:, :, channel] > 180) & (frame[:, :, others[0]] < 80) & (frame[:, :, others[1]] < 80)
    return float(strong.mean())


def test_ingredients_video_with_one_reference_shows_it(tmp_path: Path) -> None:
    red = _solid(tmp_path / "red.png", (220, 20, 20))

    info = probe(render_ingredients_video(PROMPT, [red], Aspect.PORTRAIT, tmp_path / "one.mp4", **QUICK))

    assert (info.codec, info.width, info.height, len(info.frames)) == ("h264", 144, 256, 12)
    assert _share(info.frames[0], 0) > 0.05
    assert mad(info.frames[0], info.frames[-1]) > 2


def test_ingredients_video_with_three_references_travels_from_the_first_to_the_last(tmp_path: Path) -> None:
    refs = [
        _solid(tmp_path / "red.png", (220, 20, 20)),
        _solid(tmp_path / "green.png", (20, 220, 20)),
        _solid(tmp_path / "blue.png", (20, 20, 220)),
    ]

    info = probe(render_ingredients_video(PROMPT, refs, Aspect.LANDSCAPE, tmp_path / "three.mp4", **QUICK))

    assert (info.width, info.height, len(info.frames)) == (256, 144, 12)
    first, last = info.frames[0], info.frames[-1]
    assert _share(first, 0) > _share(last, 0)  # red (first panel) leaves the frame
    assert _share(last, 2) > _share(first, 2)  # blue (last panel) comes in


@pytest.mark.parametrize("count", [0, 4])
def test_ingredients_video_needs_one_to_three_references(tmp_path: Path, count: int) -> None:
    refs = [_solid(tmp_path / f"{index}.png", (200, 200, 200)) for index in range(count)]
    with pytest.raises(InvalidInputError, match="1 to 3"):
        render_ingredients_video(PROMPT, refs, Aspect.LANDSCAPE, tmp_path / "out.mp4", **QUICK)


def test_ingredients_video_names_the_bad_reference(tmp_path: Path) -> None:
    good = _solid(tmp_path / "good.png", (200, 100, 50))
    bad = tmp_path / "second-ref.jpg"
    bad.write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"second-ref\.jpg"):
        render_ingredients_video(PROMPT, [good, bad], Aspect.LANDSCAPE, tmp_path / "out.mp4", **QUICK)


@pytest.mark.parametrize(
    ("aspect", "size"),
    [(Aspect.LANDSCAPE, (256, 144)), (Aspect.PORTRAIT, (144, 256)), (Aspect.SQUARE, (144, 144))],
)
def test_images_are_pngs_of_the_aspects_size(tmp_path: Path, aspect: Aspect, size: tuple[int, int]) -> None:
    dest = render_image(PROMPT, aspect, tmp_path / "image.png", short_side=144)

    with Image.open(dest) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", size)


def test_image_with_references_shows_them_and_seeds_differ(tmp_path: Path) -> None:
    blue = _solid(tmp_path / "blue.png", (20, 20, 220))

    with_ref = np.asarray(
        Image.open(render_image(PROMPT, Aspect.SQUARE, tmp_path / "a.png", references=[blue], short_side=144))
    )
    card = np.asarray(Image.open(render_image(PROMPT, Aspect.SQUARE, tmp_path / "b.png", short_side=144)))
    other_seed = np.asarray(
        Image.open(render_image(PROMPT, Aspect.SQUARE, tmp_path / "c.png", short_side=144, seed=1))
    )

    assert _share(with_ref, 2) > 0.1
    assert _share(card, 2) < 0.01
    assert mad(card, other_seed) > 5


def test_the_default_720p_sizes(tmp_path: Path) -> None:
    for aspect, size in (
        (Aspect.LANDSCAPE, (1280, 720)),
        (Aspect.PORTRAIT, (720, 1280)),
        (Aspect.SQUARE, (720, 720)),
    ):
        with Image.open(render_image(PROMPT, aspect, tmp_path / f"{aspect}.png")) as image:
            assert image.size == size
