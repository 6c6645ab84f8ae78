"""What only a real server shows: its data stays private to its user, and a full disk is said plainly
with nothing half-written left behind."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image

PASSWORD = "a long enough passphrase for tests"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(data_dir: Path) -> Iterator[str]:
    """``framecast serve`` (offline, embedded worker) on a free port with ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRAMECAST_", "VEO_"))}
    env.update(
        FRAMECAST_DATA_DIR=str(data_dir),
        FRAMECAST_ENVIRONMENT="test",
        FRAMECAST_OFFLINE__SECONDS="1",
        FRAMECAST_OFFLINE__SHORT_SIDE="144",
        FRAMECAST_JOBS__POLL_S="0.1",
        FRAMECAST_TUTOR__WARM_UP="false",
    )
    port = free_port()
    log = (data_dir.parent / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "framecast", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, (data_dir.parent / "server.log").read_text()
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def admin_token(url: str) -> dict[str, str]:
    setup = httpx.post(
        f"{url}/setup",
        data={"email": "ada@example.com", "name": "Ada", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert setup.status_code in (200, 303), setup.text
    login = httpx.post(f"{url}/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def modes(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_mode & 0o777 for path in root.rglob("*")}


def test_the_data_dir_and_every_file_in_it_are_private_to_the_servers_user(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(data) as url:
        headers = admin_token(url)
        job = httpx.post(f"{url}/api/jobs", data={"mode": "text", "prompt": "a heron"}, headers=headers)
        assert job.status_code == 201, job.text
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/api/jobs/{job.json()['id']}", headers=headers).json()["state"] != "succeeded":
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(0.2)
    assert data.stat().st_mode & 0o777 == 0o700
    found = modes(data)
    files = {name: mode for name, mode in found.items() if (data / name).is_file()}
    folders = {name: mode for name, mode in found.items() if (data / name).is_dir()}
    assert any(name.endswith(".mp4") for name in files), files
    assert "framecast.db" in files
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}
    assert {name: mode for name, mode in folders.items() if mode != 0o700} == {}


@pytest.fixture
def tiny_uploads(tmp_path: Path) -> Iterator[Path]:
    """A data dir whose uploads folder is a 256 KiB file system: the disk fills up on upload.

    Mounting needs root, as CI runs; the test fails (it is not skipped) where it cannot mount.
    """
    data = tmp_path / "data"
    uploads = data / "uploads"
    uploads.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(uploads)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mounted.returncode == 0, f"cannot mount a small tmpfs (run as root, as CI does): {mounted.stderr}"
    try:
        yield data
    finally:
        subprocess.run(["umount", "-l", str(uploads)], check=False)


def test_a_full_disk_is_said_in_the_json_error_shape_and_leaves_nothing_half_written(
    tiny_uploads: Path,
) -> None:
    with serve(tiny_uploads) as url:
        headers = admin_token(url)
        frame = png((640, 640))  # about 1 MB of noise: more than the disk holds
        assert len(frame) > 300 * 1024
        response = httpx.post(
            f"{url}/api/jobs",
            data={"mode": "frames", "prompt": "the camera pans"},
            files={"start_image": ("start.png", frame, "image/png")},
            headers=headers,
        )
        health = httpx.get(f"{url}/api/health")
    assert response.status_code == 507, response.text
    assert response.json()["error"]["type"] == "disk_full"
    assert "disk is full" in response.json()["error"]["message"]
    assert health.status_code == 200
    assert [p for p in (tiny_uploads / "uploads").rglob("*") if p.is_file()] == []
