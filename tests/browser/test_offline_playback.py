"""The offline renderer's MP4s play in a real Chromium <video> element."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from framecast.providers.base import Aspect
from framecast.providers.offline.render import render_frames_video, render_text_video

PLAYER = """<!doctype html><html><body>
<video id="v" src="{name}" muted autoplay playsinline></video>
</body></html>"""

STATE = """() => {
  const v = document.getElementById('v');
  return {ready: v.readyState, time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
          error: v.error ? v.error.code : null, duration: v.duration};
}"""


PLAYING_OR_FAILED = """() => {
  const v = document.getElementById('v');
  return v.error !== null || v.currentTime > 0.5;
}"""


def play(browser: Browser, base: str, root: Path, clip: Path) -> dict[str, float]:
    (root / "player.html").write_text(PLAYER.format(name=clip.name), encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(f"{base}/player.html")
        page.wait_for_function(PLAYING_OR_FAILED, timeout=20_000)
        state: dict[str, float] = page.evaluate(STATE)
    finally:
        page.close()
    return state


@pytest.mark.parametrize(("aspect", "size"), [(Aspect.LANDSCAPE, (426, 240)), (Aspect.PORTRAIT, (240, 426))])
def test_a_text_to_video_clip_plays_in_chromium(
    browser: Browser, static_server: tuple[str, Path], aspect: Aspect, size: tuple[int, int]
) -> None:
    base, root = static_server
    clip = render_text_video(
        "a red fox running through snow", aspect, root / "clip.mp4", seconds=2, short_side=240
    )
    state = play(browser, base, root, clip)
    assert state["error"] is None
    assert (state["width"], state["height"]) == size
    assert state["duration"] == pytest.approx(2.0, abs=0.1)
    assert state["time"] > 0.5


def test_an_interpolated_clip_plays_in_chromium(
    browser: Browser, static_server: tuple[str, Path], tmp_path: Path
) -> None:
    from PIL import Image

    start = tmp_path / "a.png"
    end = tmp_path / "b.png"
    Image.new("RGB", (320, 180), (220, 60, 40)).save(start)
    Image.new("RGB", (320, 180), (40, 60, 220)).save(end)
    base, root = static_server
    clip = render_frames_video(
        "from red to blue", start, end, Aspect.LANDSCAPE, root / "f.mp4", seconds=2, short_side=240
    )
    state = play(browser, base, root, clip)
    assert state["error"] is None
    assert state["time"] > 0.5
