"""A real S3 protocol peer for tests: moto's standalone server in its own process on loopback.

Its own process, not a thread of the test run, so that objects it keeps in memory do not count
toward the memory a test measures, and a test may kill an uploader without touching the server.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

# moto accepts any credentials; these only have to be present for SigV4.
ACCESS_KEY = "framecast-test"
SECRET_KEY = "framecast-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def create_bucket(self) -> str:
        """A fresh, empty bucket (moto needs no signature to create one)."""
        name = f"fc-{uuid.uuid4().hex[:16]}"
        response = httpx.put(f"{self.endpoint}/{name}", timeout=10)
        response.raise_for_status()
        return name

    def env(self, bucket: str, prefix: str = "files") -> dict[str, str]:
        """The FRAMECAST_STORAGE__* variables that point a Framecast process at ``bucket``."""
        return {
            "FRAMECAST_STORAGE__URL": f"s3://{bucket}/{prefix}",
            "FRAMECAST_STORAGE__ENDPOINT": self.endpoint,
            "FRAMECAST_STORAGE__REGION": REGION,
            "FRAMECAST_STORAGE__ACCESS_KEY": ACCESS_KEY,
            "FRAMECAST_STORAGE__SECRET_KEY": SECRET_KEY,
            "FRAMECAST_STORAGE__PATH_STYLE": "true",
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_s3_server(timeout_s: float = 30.0) -> Iterator[S3Server]:
    """Start ``python -m moto.server`` on a free loopback port; stopped (and collected) at exit."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto's server exited with {process.returncode}")
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto's server did not answer on {endpoint}") from None
                time.sleep(0.1)
        yield S3Server(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
