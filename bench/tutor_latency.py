"""Tutor conversation latency through the real server: ``framecast serve`` in a child process, real
WebSocket clients on 127.0.0.1, offline providers.

Measured (time from sending a message to receiving its ``response``; localhost adds well under a
millisecond, so this is the server-side latency):
  (d) a ``text`` turn — target p50 < 150 ms; baseline: the same work called directly in one
      process (checker + scripted reply + espeak-ng speech + MP3), without server, socket or database.
  (e) a 3-second ``audio`` turn (espeak-ng WAV) — target p50 < 1.5 s; baseline: pocketsphinx on the
      same clip plus the text-turn baseline.
  (f) 50 sessions at once, 3 text turns each — every turn must get its response, no error (one
      account holds them all, so its limit on turns a minute is lifted for the bench).
The avatar video is switched off for (d) to (f) (``FRAMECAST_TUTOR__AVATAR=none``): it is rendered after
the response and competes for the CPU, which is reported separately as (g) with one session and the
offline avatar on.

Run: ``python -m bench.tutor_latency`` (about a minute).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx
import websockets

from bench.common import free_port

PASSWORD = "bench password 1234"  # noqa: S105 (a throwaway account in a temporary data dir)
SENTENCES = [
    "Yesterday I go to the park and I see an dog.",
    "I like coffee very much.",
    "She don't like spicy food.",
    "Can you recommend a good restaurant near here?",
    "I am interesting in English movies.",
    "We went to Busan last summer and it was great.",
]
TURNS = 12
AUDIO_TURNS = 6
CONCURRENT = 50


@contextlib.contextmanager
def server(avatar: str) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="framecast-bench-tutor-") as tmp:
        # One account holds every session of (f), so its per-learner limit on turns a minute is
        # lifted: (f) measures the server under load, not the limiter (tests/tutor cover that).
        env = {
            **os.environ,
            "FRAMECAST_DATA_DIR": tmp,
            "FRAMECAST_TUTOR__AVATAR": avatar,
            "FRAMECAST_TUTOR__TURNS_PER_MINUTE": "1000",
        }
        framecast = [sys.executable, "-m", "framecast"]
        subprocess.run(
            [
                *framecast,
                "users",
                "create",
                "--email",
                "bench@example.com",
                "--password",
                PASSWORD,
                "--name",
                "Bench",
            ],
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
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(root + "/api/health", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
            token = httpx.post(
                root + "/api/auth/login", json={"email": "bench@example.com", "password": PASSWORD}
            ).json()["access_token"]
            yield root, token
        finally:
            process.terminate()
            process.wait(timeout=30)


def new_session(root: str, token: str) -> str:
    response = httpx.post(
        root + "/api/conversations/sessions", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    session_id: str = response.json()["id"]
    return session_id


async def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await ws.recv())
        if message["type"] == "error":
            if message["data"].get("message_id"):
                continue  # a notice about a reply already sent (no avatar video for it): not a failure
            raise RuntimeError(message["data"]["message"])
        if message["type"] == kind:
            return message


async def conversation(root: str, token: str, messages: list[dict[str, Any]]) -> list[float]:
    session_id = await asyncio.to_thread(new_session, root, token)
    url = root.replace("http", "ws") + f"/ws/conversation/{session_id}?token={token}"
    times: list[float] = []
    async with websockets.connect(url, max_size=32 * 1024 * 1024) as ws:
        await until(ws, "response")  # the greeting
        for payload in messages:
            started = time.perf_counter()
            await ws.send(json.dumps(payload))
            await until(ws, "response")
            times.append(time.perf_counter() - started)
    return times


def spoken_clip() -> tuple[bytes, str]:
    from framecast.providers.offline.audio import pcm_to_wav
    from framecast.providers.offline.fresh_speech import speak_fresh_pcm
    from framecast.providers.offline.room_noise import QUIET_ROOM_DB, over_noise_floor

    text = "Yesterday I went to the park and I saw a big brown dog."
    pcm, rate = speak_fresh_pcm(text, voice="en-us+f2", rate_wpm=160)
    # As a microphone in a quiet room hears it (clean synthetic speech is an artefact).
    pcm = over_noise_floor(pcm, rate, snr_db=QUIET_ROOM_DB, seed=1, before_s=0.3, after_s=0.4)
    return pcm_to_wav(pcm, rate), text


def baselines(clip: bytes) -> tuple[float, float]:
    """p50 of the text-turn work and of the audio-turn work called directly (no server)."""
    from framecast.providers.offline.stt import OfflineSpeechToTextProvider
    from framecast.providers.offline.tts import OfflineTextToSpeechProvider
    from framecast.tutor.brain import Lesson
    from framecast.tutor.scripted import ScriptedTutor

    async def run() -> tuple[float, float]:
        brain, tts, stt = ScriptedTutor(), OfflineTextToSpeechProvider(), OfflineSpeechToTextProvider()
        lesson = Lesson(session_id="bench")
        await stt.transcribe(clip)  # load the model once, as the server has by then

        async def text_work(sentence: str) -> None:
            analysis = await brain.analyse(sentence, lesson)
            reply = await brain.reply([], analysis, lesson)
            await tts.synthesize(reply, audio_format="mp3")

        text_times, audio_times = [], []
        for i in range(TURNS):
            started = time.perf_counter()
            await text_work(SENTENCES[i % len(SENTENCES)])
            text_times.append(time.perf_counter() - started)
        for _ in range(AUDIO_TURNS):
            started = time.perf_counter()
            transcript = await stt.transcribe(clip)
            await text_work(transcript.text)
            audio_times.append(time.perf_counter() - started)
        return statistics.median(text_times), statistics.median(audio_times)

    return asyncio.run(run())


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    clip, _ = spoken_clip()
    clip_s = (len(clip) - 44) / 2 / 22050
    base_text, base_audio = baselines(clip)
    text_msgs = [{"type": "text", "data": {"text": SENTENCES[i % len(SENTENCES)]}} for i in range(TURNS)]
    audio_msgs = [{"type": "audio", "data": {"audio": base64.b64encode(clip).decode()}}] * AUDIO_TURNS
    ok = True
    with server("none") as (root, token):
        asyncio.run(conversation(root, token, text_msgs[:2]))  # warm-up: models load on first use
        text = asyncio.run(conversation(root, token, text_msgs))
        audio = asyncio.run(conversation(root, token, audio_msgs))

        async def crowd() -> list[list[float] | BaseException]:
            return await asyncio.gather(
                *(conversation(root, token, text_msgs[:3]) for _ in range(CONCURRENT)), return_exceptions=True
            )

        started = time.perf_counter()
        results = asyncio.run(crowd())
        crowd_s = time.perf_counter() - started
    with server("offline") as (root, token):
        asyncio.run(conversation(root, token, text_msgs[:2]))
        with_video = asyncio.run(conversation(root, token, text_msgs[:6]))

    text_p50, audio_p50 = statistics.median(text), statistics.median(audio)
    print(f"(d) text turn: p50 {ms(text_p50)}, p95 {ms(p(text, 0.95))} over {TURNS} turns")
    print(f"    baseline (same work in-process) p50 {ms(base_text)}; ratio {text_p50 / base_text:.2f}")
    print(f"    target p50 < 150 ms: {'met' if text_p50 < 0.150 else 'MISSED'}")
    ok &= text_p50 < 0.150
    print(f"(e) {clip_s:.1f} s audio turn: p50 {ms(audio_p50)}, p95 {ms(p(audio, 0.95))}")
    print(
        f"    baseline (STT + text work in-process) p50 {ms(base_audio)}; ratio {audio_p50 / base_audio:.2f}"
    )
    print(f"    target p50 < 1500 ms: {'met' if audio_p50 < 1.5 else 'MISSED'}")
    ok &= audio_p50 < 1.5
    errors = [r for r in results if isinstance(r, BaseException)]
    turns = [t for r in results if not isinstance(r, BaseException) for t in r]
    print(f"(f) {CONCURRENT} sessions at once, 3 turns each: {len(turns)} responses, {len(errors)} errors")
    print(f"    wall time {crowd_s:.1f} s")
    if turns:
        load_p50 = statistics.median(turns)
        print(f"    latency under load p50 {ms(load_p50)}, p95 {ms(p(turns, 0.95))}")
        print(f"    ratio to the single-session p50 {load_p50 / text_p50:.1f}")
    for error in errors[:3]:
        print(f"    error: {error!r}")
    ok &= not errors and len(turns) == CONCURRENT * 3
    video_p50 = statistics.median(with_video)
    print(f"(g) text turn with the offline avatar rendering in the same process: p50 {ms(video_p50)}")
    print(f"    ratio {video_p50 / text_p50:.2f} to (d)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
