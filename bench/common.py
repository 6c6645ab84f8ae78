"""Shared bench plumbing: an emulator in its own process, a fresh data dir, RSS sampling."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def emulator_process(*args: str, emulator: str = "genaipro") -> Iterator[str]:
    """Start ``framecast emulator EMULATOR`` (genaipro, google-veo) in a child process; yield its
    root URL (both serve ``/_emulator/stats`` under it)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "framecast",
        "emulator",
        emulator,
        "--port",
        str(port),
        "--api-key",
        "bench",
        *args,
    ]
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(root + "/_emulator/stats", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        yield root
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def fresh_env(root: str, **extra: str) -> Iterator[Path]:
    """Point Framecast's settings at a temporary data dir and the emulator."""
    with tempfile.TemporaryDirectory(prefix="framecast-bench-") as tmp:
        values = {
            "FRAMECAST_DATA_DIR": tmp,
            "FRAMECAST_GENAIPRO__BASE_URL": root + "/api/v1",
            "FRAMECAST_GENAIPRO__API_KEY": "bench",
            "FRAMECAST_JOBS__POLL_S": "0.05",
            **extra,
        }
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        from framecast.core.settings import get_settings

        get_settings.cache_clear()
        try:
            yield Path(tmp)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            get_settings.cache_clear()


class PeakRSS:
    """Samples this process's resident memory every ``interval`` seconds in a thread."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._proc = psutil.Process()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = self._proc.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def mb(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MB"
