"""A poster is a still of the video, made once, and a video that cannot be read simply has none."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from framecast.providers.base import Aspect
from framecast.providers.offline.render import render_text_video
from framecast.studio.posters import MAX_WIDTH, make_poster, poster_path


def test_a_poster_is_a_jpeg_frame_of_the_video_no_wider_than_the_limit(tmp_path: Path) -> None:
    video = render_text_video(
        "a heron at dawn", Aspect.LANDSCAPE, tmp_path / "heron.mp4", seconds=1, short_side=720
    )

    made = make_poster(video, poster_path(tmp_path / "posters", video))

    assert made is not None
    data = made.read_bytes()
    assert data[:3] == b"\xff\xd8\xff"
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    height, width = picture.shape[:2]
    assert width == MAX_WIDTH
    assert abs(width / height - 16 / 9) < 0.02
    assert picture.std() > 5  # a real picture, not a blank frame


def test_each_video_has_its_own_poster_path(tmp_path: Path) -> None:
    first = poster_path(tmp_path, tmp_path / "a.mp4")

    assert first != poster_path(tmp_path, tmp_path / "b.mp4")
    assert first == poster_path(tmp_path, tmp_path / "a.mp4")
    assert first.suffix == ".jpg"


def test_a_file_that_is_not_a_video_gets_no_poster_and_nothing_is_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    dest = tmp_path / "posters" / "broken.jpg"

    assert make_poster(broken, dest) is None
    assert make_poster(tmp_path / "missing.mp4", dest) is None
    assert not dest.exists()
