"""The H.264 writer: what browsers need (codec, pixel format, faststart) and atomic publication."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from tests.providers.offline.offline_media import Frame, mad, probe, top_level_boxes

from framecast.providers.offline.encode import H264Writer, prefetch, write_mp4


def _ramp(count: int, width: int = 64, height: int = 48) -> Iterator[Frame]:
    for index in range(count):
        frame = np.zeros((height, width, 3), np.uint8)
        frame[:, :, 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
        frame[:, :, 1] = index * 255 // max(1, count - 1)
        yield frame


def test_a_written_mp4_is_h264_yuv420p_at_a_constant_frame_rate(tmp_path: Path) -> None:
    dest = write_mp4(_ramp(12), tmp_path / "clip.mp4", width=64, height=48, fps=12)

    info = probe(dest)
    assert (info.codec, info.pix_fmt, info.width, info.height) == ("h264", "yuv420p", 64, 48)
    assert info.frame_rate == Fraction(12)
    assert len(info.frames) == 12
    assert info.duration_s == pytest.approx(1.0, abs=1e-3)


def test_the_decoded_frames_match_what_was_written(tmp_path: Path) -> None:
    written = list(_ramp(6))
    dest = write_mp4(iter(written), tmp_path / "clip.mp4", width=64, height=48, fps=6)

    decoded = probe(dest).frames
    assert [mad(a, b) < 4 for a, b in zip(written, decoded, strict=True)] == [True] * 6


def test_moov_comes_before_mdat_so_browsers_can_start_playing_early(tmp_path: Path) -> None:
    dest = write_mp4(_ramp(4), tmp_path / "clip.mp4", width=64, height=48, fps=4)

    boxes = top_level_boxes(dest)
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_odd_dimensions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        H264Writer(tmp_path / "clip.mp4", 65, 48, 12)


def test_a_frame_of_the_wrong_shape_is_refused_and_nothing_is_published(tmp_path: Path) -> None:
    out = tmp_path / "out"
    frames = [np.zeros((48, 64, 3), np.uint8), np.zeros((10, 10, 3), np.uint8)]
    with pytest.raises(ValueError, match="64x48"):
        write_mp4(iter(frames), out / "clip.mp4", width=64, height=48, fps=12)

    assert list(out.iterdir()) == []


def test_a_failing_frame_source_leaves_the_previous_file_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "clip.mp4"
    dest.write_bytes(b"the previous, complete result")

    def failing() -> Iterator[Frame]:
        yield from _ramp(3)
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_mp4(failing(), dest, width=64, height=48, fps=12)

    assert dest.read_bytes() == b"the previous, complete result"
    assert [path.name for path in out.iterdir()] == ["clip.mp4"]


def test_no_frames_at_all_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="no frames"):
        write_mp4(iter([]), out / "clip.mp4", width=64, height=48, fps=12)

    assert list(out.iterdir()) == []


def test_prefetch_keeps_the_order_and_passes_errors_through() -> None:
    def numbers() -> Iterator[int]:
        yield from range(10)
        raise KeyError("boom")

    seen: list[int] = []

    def drain() -> None:
        for number in prefetch(numbers(), depth=2):
            seen.append(number)

    with pytest.raises(KeyError, match="boom"):
        drain()

    assert seen == list(range(10))


def test_prefetch_stops_its_thread_when_the_consumer_stops_early() -> None:
    produced: list[int] = []

    def endless() -> Iterator[int]:
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    iterator = prefetch(endless(), depth=2)
    assert isinstance(iterator, Generator)
    assert [next(iterator) for _ in range(3)] == [0, 1, 2]
    iterator.close()

    assert not [thread for thread in threading.enumerate() if thread.name == "framecast-frames"]
    assert len(produced) <= 3 + 2 + 2  # taken, queued, and at most a couple more in the helper's hands


def test_the_colour_matrix_is_declared_so_players_do_not_guess(tmp_path: Path) -> None:
    dest = write_mp4(_ramp(2), tmp_path / "clip.mp4", width=64, height=48, fps=2)

    with av.open(str(dest)) as container:
        frame = next(container.decode(video=0))
        assert frame.colorspace == 6  # BT.601 (SMPTE 170M), the matrix the frames were converted with
        assert frame.color_range == 1  # limited ("TV") range
