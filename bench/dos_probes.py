"""The outside review's denial-of-service probes against the real server, each measured against a
quiet baseline taken in the same run.

``framecast serve`` runs in a child process with its own data dir and two learners. For each probe
a sampler asks ``GET /api/health`` every 50 ms while the probe runs, and the server process's RSS
(its children included) is sampled every 100 ms. Printed per probe: health p50/p99 and their ratio
to the quiet p99, the peak RSS growth over the quiet RSS, and what the probe's own requests got.

Probes:

* ``unauthenticated bodies`` — four clients declare 600 MB of JSON to ``/api/practice/attempts``,
  four 400 MB and four 90 MB (within the route's limit) of multipart to ``/api/jobs``, without a
  login, and stream as fast as they can;
* ``60 MB of JSON`` — a logged-in client sends 60 MB of small JSON objects;
* ``SDP recordings`` — 40 practice attempts at once whose "recording" is a base64 SDP text;
* ``long recordings`` — two 418 s MP3s from one learner, then a 1 s recording from another (how
  long the short one waits is printed against the same recording sent to a quiet server);
* ``large socket frames`` — three 15 MB frames on a conversation socket.

Targets: health p99 < 3 x the quiet p99, RSS growth < 100 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import psutil
import websockets

from bench.common import free_port

PASSWORD = "a bench passphrase nobody guesses"  # noqa: S105 - a throwaway account of the bench
LEARNERS = ("ann@example.com", "bob@example.com")
SAMPLE_EVERY_S = 0.05
P99_TARGET = 3.0
RSS_TARGET_MB = 100.0
SDP = (
    b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=probe\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    b"m=audio 47000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


@dataclass
class Server:
    root: str
    pid: int
    tokens: dict[str, str]


@contextlib.contextmanager
def server() -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="framecast-bench-dos-") as tmp:
        env = {**os.environ, "FRAMECAST_DATA_DIR": tmp, "FRAMECAST_TUTOR__AVATAR": "none"}
        framecast = [sys.executable, "-m", "framecast"]
        for email in LEARNERS:
            subprocess.run(
                [*framecast, "users", "create", "--email", email, "--password", PASSWORD, "--name", email],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
        port = free_port()
        process = subprocess.Popen(
            [*framecast, "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        root = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    httpx.get(root + "/api/health", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
            tokens = {}
            for email in LEARNERS:
                login = httpx.post(root + "/api/auth/login", json={"email": email, "password": PASSWORD})
                login.raise_for_status()
                tokens[email] = login.json()["access_token"]
            yield Server(root, process.pid, tokens)
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Sample:
    health_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)


def rss_mb(pid: int) -> float:
    parent = psutil.Process(pid)
    total = parent.memory_info().rss
    for child in parent.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return total / 2**20


_SAMPLER = """
import sys, time, httpx
url, every, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
with httpx.Client(timeout=30) as client, open(out, "w") as sink:
    while True:
        started = time.perf_counter()
        try:
            client.get(url)
        except httpx.HTTPError:
            pass
        sink.write(f"{(time.perf_counter() - started) * 1000}\\n")
        sink.flush()
        time.sleep(every)
"""


@contextlib.contextmanager
def sampling(srv: Server, *, at_least_s: float = 3.0) -> Iterator[Sample]:
    """Health latency (from a process of its own, so that the probes' own work in this process does
    not slow the measurement) and the server's RSS, while the block runs (at least ``at_least_s``)."""
    sample = Sample()
    stop = threading.Event()
    with tempfile.NamedTemporaryFile(prefix="health-", suffix=".txt", delete=False) as sink:
        path = sink.name
    sampler = subprocess.Popen(
        [sys.executable, "-c", _SAMPLER, srv.root + "/api/health", str(SAMPLE_EVERY_S), path],
        stdin=subprocess.DEVNULL,
    )

    def memory() -> None:
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                sample.rss_mb.append(rss_mb(srv.pid))
            stop.wait(0.1)

    thread = threading.Thread(target=memory, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        yield sample
    finally:
        time.sleep(max(0.0, at_least_s - (time.monotonic() - started)))
        stop.set()
        thread.join(30)
        sampler.terminate()
        sampler.wait(30)
        with open(path, encoding="utf-8") as lines:
            sample.health_ms.extend(float(line) for line in lines if line.strip())
        os.unlink(path)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def raw_flood(srv: Server, head: bytes, seconds: float) -> str:
    """Send ``head`` then body bytes as fast as possible for ``seconds``; what the server answered."""
    host, port = srv.root.removeprefix("http://").split(":")
    chunk = b"x" * 65536
    sent = 0
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head)
        conn.setblocking(False)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                sent += conn.send(chunk)
            except BlockingIOError:
                pass
            except OSError:
                break  # the server closed the connection on us
            try:
                data = conn.recv(4096)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            except OSError:
                break
            if not data:
                break  # closed by the server
            answer += data
        if not answer:
            # The server may have answered, then closed before the sending stopped: read what it said.
            conn.setblocking(True)
            conn.settimeout(2)
            with contextlib.suppress(OSError):
                answer = conn.recv(4096)
    status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "no answer"
    return f"{status} after {sent / 2**20:.1f} MB sent"


def probe_unauthenticated(srv: Server) -> list[str]:
    json_head = (
        b"POST /api/practice/attempts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 600000000\r\n\r\n"
    )
    multipart_head = (
        b"POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        b"Content-Length: 400000000\r\n\r\n"
    )
    # Within the route's limit: refused for want of a login, before the body is read.
    within_head = multipart_head.replace(b"400000000", b"90000000")
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda h=head: results.append(raw_flood(srv, h, 3.0)))
        for head in [json_head] * 4 + [multipart_head] * 4 + [within_head] * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(set(results))


def probe_big_json(srv: Server) -> list[str]:
    body = b"[" + b",".join([b'{"a":1}'] * (60 * 2**20 // 8)) + b"]"
    response = httpx.put(
        srv.root + "/api/account/preferences",
        content=body,
        headers={"Authorization": f"Bearer {srv.tokens[LEARNERS[0]]}", "Content-Type": "application/json"},
        timeout=60,
    )
    return [f"{response.status_code} for {len(body) / 2**20:.0f} MB"]


def attempt(srv: Server, email: str, audio: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    response = httpx.post(
        srv.root + "/api/practice/attempts",
        json={"phrase_id": 1, "audio": base64.b64encode(audio).decode()},
        headers={"Authorization": f"Bearer {srv.tokens[email]}"},
        timeout=900,
    )
    return response.status_code, time.perf_counter() - started


def probe_sdp(srv: Server) -> list[str]:
    answers: list[tuple[int, float]] = []
    threads = [
        threading.Thread(target=lambda: answers.append(attempt(srv, LEARNERS[0], SDP))) for _ in range(40)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted({code for code, _ in answers})
    slowest = max(seconds for _, seconds in answers)
    return [f"answers {codes}, slowest {slowest * 1000:.0f} ms"]


def speech(seconds: float) -> bytes:
    """An MP3 of espeak-ng speech over a quiet noise floor, ``seconds`` long."""
    import numpy as np

    from framecast.providers.offline.audio import encode_pcm
    from framecast.providers.offline.tts import OfflineTextToSpeechProvider

    rate = 16_000
    spoken = asyncio.run(
        OfflineTextToSpeechProvider().synthesize("Good morning, how are you?", audio_format="wav")
    )

    with wave.open(io.BytesIO(spoken.data)) as reader:
        voice_rate = reader.getframerate()
        voice = np.frombuffer(reader.readframes(reader.getnframes()), dtype=np.int16).astype(np.float32)
    voice = np.interp(np.arange(0, len(voice), voice_rate / rate), np.arange(len(voice)), voice)
    total = int(seconds * rate)
    signal = np.resize(voice, total)
    noise = np.random.default_rng(1).normal(0, 30, total)
    pcm = np.clip(signal + noise, -32768, 32767).astype(np.int16).tobytes()
    return encode_pcm(pcm, rate, codec="mp3", container="mp3")


def probe_long_audio(srv: Server, long: bytes, short: bytes, quiet_short_s: float) -> list[str]:
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(str(attempt(srv, LEARNERS[0], long))))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    code, waited = attempt(srv, LEARNERS[1], short)
    for thread in threads:
        thread.join()
    return [
        f"long recordings: {sorted(results)}",
        f"the other learner's 1 s recording: {code} in {waited * 1000:.0f} ms "
        f"(quiet server {quiet_short_s * 1000:.0f} ms, ratio {waited / quiet_short_s:.2f})",
    ]


def probe_socket_frames(srv: Server) -> list[str]:
    token = srv.tokens[LEARNERS[0]]
    session = httpx.post(
        srv.root + "/api/conversations/sessions", json={}, headers={"Authorization": f"Bearer {token}"}
    ).json()["id"]
    url = srv.root.replace("http", "ws") + f"/ws/conversation/{session}?token={token}"
    frame = json.dumps({"type": "text", "data": {"text": "x" * (15 * 2**20)}})

    async def send() -> list[str]:
        outcomes: list[str] = []
        for _ in range(3):
            try:
                async with websockets.connect(url, max_size=None) as ws:
                    await ws.send(frame)
                    reply = await asyncio.wait_for(ws.recv(), timeout=30)
                    outcomes.append(str(json.loads(reply).get("type")))
            except websockets.ConnectionClosed as closed:
                outcomes.append(f"closed {closed.rcvd.code if closed.rcvd else '?'}")
            except TimeoutError:
                outcomes.append("no answer in 30 s")
        return outcomes

    return [f"frames answered: {asyncio.run(send())}"]


def report(name: str, quiet: Sample, busy: Sample, notes: list[str]) -> bool:
    base_p99 = percentile(quiet.health_ms, 0.99)
    p50, p99 = percentile(busy.health_ms, 0.5), percentile(busy.health_ms, 0.99)
    growth = (max(busy.rss_mb) if busy.rss_mb else 0.0) - statistics.median(quiet.rss_mb)
    ratio = p99 / base_p99
    met = ratio < P99_TARGET and growth < RSS_TARGET_MB
    print(
        f"{name}: health p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"({ratio:.2f}x quiet p99, target < {P99_TARGET:g}x); "
        f"RSS +{growth:.0f} MB (target < {RSS_TARGET_MB:g} MB) -> {'met' if met else 'MISSED'}"
    )
    for note in notes:
        print(f"    {note}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet-seconds", type=float, default=5.0)
    args = parser.parse_args()
    # Made before any measurement: encoding them is work this process would do beside the server.
    short, long = speech(1.0), speech(418.0)
    with server() as srv:
        attempt(srv, LEARNERS[1], short)  # models loaded, phrase audio cached
        with sampling(srv) as quiet:
            time.sleep(args.quiet_seconds)
            _, quiet_short_s = attempt(srv, LEARNERS[1], short)
        print(
            f"quiet baseline: health p50 {percentile(quiet.health_ms, 0.5):.1f} ms, "
            f"p99 {percentile(quiet.health_ms, 0.99):.1f} ms; RSS {statistics.median(quiet.rss_mb):.0f} MB; "
            f"a 1 s practice recording answered in {quiet_short_s * 1000:.0f} ms"
        )
        probes: list[tuple[str, Callable[[], list[str]]]] = [
            ("unauthenticated bodies", lambda: probe_unauthenticated(srv)),
            ("60 MB of JSON", lambda: probe_big_json(srv)),
            ("SDP recordings", lambda: probe_sdp(srv)),
            ("long recordings", lambda: probe_long_audio(srv, long, short, quiet_short_s)),
            ("large socket frames", lambda: probe_socket_frames(srv)),
        ]
        results = []
        for name, probe in probes:
            with sampling(srv) as busy:
                notes = probe()
            results.append(report(name, quiet, busy, notes))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
