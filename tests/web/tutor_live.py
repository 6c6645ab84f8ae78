"""The Tutor over a real server: uvicorn in a thread (with the WebSocket options
``framecast serve`` passes), or ``framecast serve`` itself in a child process; a ``websockets``
client; speech with a microphone's noise floor."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn
from fastapi import FastAPI
from websockets.sync.client import ClientConnection, connect

from framecast.core.settings import Settings
from framecast.web.routes import tutor_ws
from tests import speech_audio

START_TIMEOUT_S = 60.0
# A socket that answers nothing for this long has failed the test (a passing run never waits).
RECEIVE_TIMEOUT_S = 60.0


@contextmanager
def serving(app: FastAPI, settings: Settings) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free local port; yields ``host:port``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", **tutor_ws.server_options(settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
        sock.close()


@contextmanager
def framecast_serve(data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """``framecast serve`` in a child process over ``data_dir`` with the settings ``env`` holds
    (and none of this process's ``FRAMECAST_`` variables); yields ``host:port``."""
    with serve_process(data_dir, env) as (address, _):
        yield address


@contextmanager
def serve_process(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`framecast_serve`, yielding the child process too."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FRAMECAST_", "VEO_"))}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = data_dir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "framecast", "serve", "--port", str(port), "--no-worker"],
            env={**clean, "FRAMECAST_DATA_DIR": str(data_dir), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"framecast serve exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("framecast serve did not start")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(15)


def open_socket(address: str, session_id: str, token: str | None = None) -> ClientConnection:
    query = f"?token={token}" if token else ""
    return connect(
        f"ws://{address}/ws/conversation/{session_id}{query}",
        max_size=None,
        open_timeout=RECEIVE_TIMEOUT_S,
    )


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=RECEIVE_TIMEOUT_S))
    return message


def receive_until(
    ws: ClientConnection, kind: str, **match: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Messages up to and including the first of ``kind`` whose data matches ``match``."""
    seen: list[dict[str, Any]] = []
    for _ in range(50):
        message = receive(ws)
        seen.append(message)
        if message["type"] == kind and all(message["data"].get(k) == v for k, v in match.items()):
            return message, seen
    raise AssertionError(f"no {kind} message among {[m['type'] for m in seen]}")


def send(ws: ClientConnection, kind: str, **data: Any) -> None:
    ws.send(json.dumps({"type": kind, "data": data}))


def with_noise(pcm: bytes, *, seed: int = 1, level: int = 60) -> bytes:
    """16-bit ``pcm`` with a faint noise floor added, as a real microphone hears a quiet room."""
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.int32)
    noise = np.random.default_rng(seed).integers(-level, level, samples.size)
    return np.clip(samples + noise, -32768, 32767).astype(np.int16).tobytes()


def spoken_wav(text: str, *, seed: int = 1) -> bytes:
    """``text`` said by the voice pocketsphinx hears best, a quarter second of a quiet room either
    side, over the room's noise floor (``tests/speech_audio.py``), as a WAV."""
    return speech_audio.spoken_wav(text, seed=seed, before_s=0.25, after_s=0.25)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
