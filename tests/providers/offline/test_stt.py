"""The offline recogniser: silence is heard as nothing, recognition runs in worker processes that
hold no thread of the server, and a worker that dies costs only its recordings."""

from __future__ import annotations

import asyncio

import anyio
import psutil
import pytest
from tests.speech_audio import spoken_wav

from framecast.core.errors import InvalidInputError, RefusedError
from framecast.providers.offline.audio import pcm_to_wav
from framecast.providers.offline.stt import OfflineSpeechToTextProvider, is_silent


def spoken(text: str) -> bytes:
    """``text`` by espeak-ng over a quiet room's noise floor, as a WAV."""
    return spoken_wav(text)


def recognition_workers() -> set[int]:
    """This process's children that are multiprocessing workers (not its resource tracker)."""
    return {
        child.pid
        for child in psutil.Process().children()
        if "spawn_main" in " ".join(child.cmdline()) and "resource_tracker" not in " ".join(child.cmdline())
    }


async def test_silence_and_a_too_short_clip_are_heard_as_nothing() -> None:
    provider = OfflineSpeechToTextProvider()
    assert (await provider.transcribe(pcm_to_wav(bytes(32000), 16000))).text == ""
    assert (await provider.transcribe(pcm_to_wav(b"\x00\x10\x00\xf0" * 16, 16000))).text == ""  # 4 ms
    assert is_silent(b"")
    assert not is_silent((b"\x00\x10\x00\xf0") * 4000)


async def test_recordings_waiting_for_the_recogniser_hold_no_worker_thread() -> None:
    provider = OfflineSpeechToTextProvider(max_decoders=2)
    clip = spoken("I like to walk in the park with my dog.")
    threads = anyio.to_thread.current_default_thread_limiter()

    hearing = [asyncio.create_task(provider.transcribe(clip)) for _ in range(6)]
    await asyncio.sleep(0)
    borrowed = threads.borrowed_tokens
    heard = await asyncio.gather(*hearing)

    assert borrowed == 0  # every database call still finds a thread
    assert {t.text for t in heard} == {heard[0].text}
    assert "park" in heard[0].text


async def test_a_recogniser_that_dies_costs_only_its_recordings() -> None:
    provider = OfflineSpeechToTextProvider(max_decoders=1)  # a pool of its own in this process
    before = recognition_workers()
    await provider.transcribe(spoken("Hello there."))
    worker = recognition_workers() - before
    assert len(worker) == 1

    hearing = asyncio.create_task(provider.transcribe(spoken("I like to walk in the park every day.")))
    await asyncio.sleep(0)
    psutil.Process(worker.pop()).kill()  # as a crash on some input would

    with pytest.raises(RefusedError, match="send it again"):
        await hearing
    assert (await provider.transcribe(spoken("I like to walk in the park."))).words  # a new worker


async def test_the_recogniser_stops_decoding_at_its_limit() -> None:
    provider = OfflineSpeechToTextProvider(max_decoders=1, max_seconds=1)

    with pytest.raises(InvalidInputError, match="longer than the limit of 1 seconds"):
        await provider.transcribe(spoken("I like to walk in the park with my dog every morning."))
