"""``framecast generate … --provider google-veo`` against ``framecast emulator google-veo``, with the
real google-genai SDK in between: playable MP4s for text, frames and ingredients, a PNG for image,
and clear refusals of options a provider lacks."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest

from tests.integration.conftest import framecast, write_frame

API_KEY = "k"


@pytest.fixture(scope="module")
def google_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``framecast emulator google-veo --port 0`` in a child process; its base URL."""
    log = tmp_path_factory.mktemp("google-emulator") / "out.txt"
    with log.open("w") as out:
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "framecast",
                "emulator",
                "google-veo",
                "--port",
                "0",
                "--latency",
                "0.3",
                "--media-seconds",
                "1",
                "--media-size",
                "96",
                "--api-key",
                API_KEY,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        url = ""
        deadline = time.monotonic() + 60
        while not url:
            assert child.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            for line in log.read_text().splitlines():
                if "FRAMECAST_GOOGLE__BASE_URL=" in line:
                    url = line.split("=", 1)[1].strip()
            time.sleep(0.05)
        yield url
    finally:
        child.terminate()
        child.wait(30)


def env(url: str) -> dict[str, str]:
    return {
        "FRAMECAST_GOOGLE__API_KEY": API_KEY,
        "FRAMECAST_GOOGLE__BASE_URL": url,
        "FRAMECAST_GOOGLE__POLL_S": "0.1",
        "FRAMECAST_JOBS__POLL_S": "0.05",
    }


def playable(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        return sum(1 for _ in container.decode(stream))


def test_generate_text_on_google_veo_writes_a_playable_mp4(google_url: str, tmp_path: Path) -> None:
    result = framecast(
        "generate",
        "text",
        "a red fox running through snow",
        "--provider",
        "google-veo",
        "--out",
        str(tmp_path / "out"),
        "--duration",
        "8",
        env=env(google_url),
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == tmp_path / "out" / "a-red-fox-running-through-snow.mp4"
    assert playable(path) >= 10
    assert "about $3.20" in result.stderr  # 8 s at the table's $0.40 a second
    stats = httpx.get(f"{google_url}/_emulator/stats").json()
    assert "a red fox running through snow" in stats["prompts"]


def test_frames_ingredients_and_image_on_google_veo(google_url: str, tmp_path: Path) -> None:
    start = write_frame(tmp_path / "start.png")
    end = write_frame(tmp_path / "end.png")
    runs = [
        ("frames", "the fox turns its head", "--start", str(start), "--end", str(end)),
        ("ingredients", "the fox in a forest", "--ref", str(start), "--ref", str(end)),
        ("image", "a red fox, watercolour", "--aspect", "square", "--count", "2"),
    ]
    for mode, *args in runs:
        result = framecast(
            "generate",
            mode,
            *args,
            "--provider",
            "google-veo",
            "--out",
            str(tmp_path / mode),
            env=env(google_url),
        )
        assert result.returncode == 0, result.stderr
        paths = [Path(line) for line in result.stdout.strip().splitlines()]
        if mode == "image":
            assert len(paths) == 2
            assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
        else:
            assert playable(paths[0]) >= 10


def test_options_a_provider_lacks_are_refused_naming_them(google_url: str, tmp_path: Path) -> None:
    offline = framecast("generate", "text", "a fox", "--duration", "6", "--out", str(tmp_path))
    assert offline.returncode == 2
    assert "does not support Duration (--duration)" in offline.stderr
    seed = framecast(
        "generate",
        "text",
        "a fox",
        "--provider",
        "google-veo",
        "--seed",
        "3",
        "--out",
        str(tmp_path),
        env=env(google_url),
    )
    assert seed.returncode == 2
    assert "Seed (--seed)" in seed.stderr
