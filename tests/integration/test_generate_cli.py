"""``framecast generate`` with no key writes a playable MP4 (the offline provider)."""

from __future__ import annotations

from pathlib import Path

import av

from tests.integration.conftest import framecast

FAST = {"FRAMECAST_OFFLINE__SECONDS": "1", "FRAMECAST_OFFLINE__SHORT_SIDE": "144"}


def test_generate_text_with_no_key_writes_a_playable_mp4(tmp_path: Path) -> None:
    result = framecast(
        "generate", "text", "a red fox running through snow", "--out", str(tmp_path / "out"), env=FAST
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path / "out"
    assert path.name == "a-red-fox-running-through-snow.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (256, 144)
        frames = sum(1 for _ in container.decode(stream))
    assert frames >= 20


def test_generate_image_portrait_twice_never_overwrites(tmp_path: Path) -> None:
    for _ in range(2):
        result = framecast(
            "generate", "image", "a fox", "--aspect", "portrait", "--out", str(tmp_path), env=FAST
        )
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["a-fox-2.png", "a-fox.png"]


def test_bad_input_is_a_clear_error_with_exit_code_2(tmp_path: Path) -> None:
    result = framecast(
        "generate", "frames", "p", "--start", str(tmp_path / "missing.jpg"), "--out", str(tmp_path)
    )
    assert result.returncode == 2
    assert "image not found" in result.stderr
    assert "missing.jpg" in result.stderr
    square = framecast("generate", "text", "p", "--aspect", "square", "--out", str(tmp_path))
    assert square.returncode == 2
    assert "not square" in square.stderr
