"""Streaming text to speech against a fake ElevenLabs at the transport."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import AsyncIterator

import httpx
import pytest

from framecast.core.errors import (
    AmbiguousError,
    ErrorCategory,
    InvalidInputError,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.core.http import build_http_client
from framecast.providers.base import TextToSpeech
from framecast.providers.elevenlabs import ElevenLabsTextToSpeechProvider


def provider_for(handler: httpx.MockTransport, **options: str) -> ElevenLabsTextToSpeechProvider:
    http = build_http_client(transport=handler)
    return ElevenLabsTextToSpeechProvider(
        http, "el-key", base_url="https://el.test", voice_id="voice-1", **options
    )


class Chunks(httpx.AsyncByteStream):
    """A response body arriving in pieces, optionally breaking off at the end."""

    def __init__(self, chunks: list[bytes], *, break_off: bool = False) -> None:
        self._chunks = chunks
        self._break_off = break_off

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._break_off:
            raise httpx.ReadError("connection reset")


async def test_mp3_comes_from_the_stream_endpoint_with_output_format() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "audio/mpeg"}, stream=Chunks([b"ID3", b"frames"]))

    tts = provider_for(httpx.MockTransport(handler))
    audio = await tts.synthesize("Hello there")

    assert isinstance(tts, TextToSpeech)
    request = seen[0]
    assert request.method == "POST"
    assert request.url.path == "/v1/text-to-speech/voice-1/stream"
    assert request.url.params["output_format"] == "mp3_44100_128"
    assert request.headers["xi-api-key"] == "el-key"
    assert json.loads(request.content) == {"text": "Hello there", "model_id": "eleven_multilingual_v2"}
    assert audio.data == b"ID3frames"
    assert audio.mime == "audio/mpeg"
    assert audio.sample_rate == 44100


async def test_a_voice_argument_picks_the_voice_in_the_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"mp3")

    await provider_for(httpx.MockTransport(handler)).synthesize("Hi", voice="AZnzlk1XvdvUeBnXmlld")
    assert seen[0].url.path == "/v1/text-to-speech/AZnzlk1XvdvUeBnXmlld/stream"


async def test_wav_is_built_from_pcm_output() -> None:
    seen: list[httpx.Request] = []
    pcm = b"\x01\x00\x02\x00\x03\x00\x04"  # three samples and half of a fourth

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, stream=Chunks([pcm]))

    audio = await provider_for(httpx.MockTransport(handler)).synthesize("Hi", audio_format="wav")

    assert seen[0].url.params["output_format"] == "pcm_24000"
    assert audio.mime == "audio/wav"
    assert audio.sample_rate == 24000
    with wave.open(io.BytesIO(audio.data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 24000)
        assert wav.readframes(10) == pcm[:6]


async def test_a_configured_output_format_is_sent_as_is() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"mp3")

    tts = provider_for(httpx.MockTransport(handler), output_format="mp3_22050_32")
    audio = await tts.synthesize("Hi")
    assert seen[0].url.params["output_format"] == "mp3_22050_32"
    assert audio.sample_rate == 22050


@pytest.mark.parametrize(
    ("status", "detail", "error_type", "category"),
    [
        (
            401,
            {"status": "quota_exceeded", "message": "You have 0 credits remaining"},
            PermanentError,
            ErrorCategory.AUTH,
        ),
        (
            400,
            {"status": "max_character_limit_exceeded", "message": "Too long"},
            PermanentError,
            ErrorCategory.INVALID_INPUT,
        ),
        (
            400,
            {"status": "voice_not_found", "message": "A voice with that id was not found"},
            PermanentError,
            ErrorCategory.INVALID_INPUT,
        ),
        (
            403,
            {"status": "only_for_creator+", "message": "Professional voices need Creator"},
            PermanentError,
            ErrorCategory.AUTH,
        ),
        (
            429,
            {"status": "system_busy", "message": "Try again later"},
            RefusedError,
            ErrorCategory.RATE_LIMIT,
        ),
    ],
)
async def test_streamed_error_bodies_become_clear_errors(
    status: int, detail: dict[str, str], error_type: type[ProviderError], category: ErrorCategory
) -> None:
    body = json.dumps({"detail": detail}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "3"}, stream=Chunks([body]))

    with pytest.raises(error_type) as caught:
        await provider_for(httpx.MockTransport(handler)).synthesize("Hi")
    assert caught.value.category == category
    assert detail["message"] in str(caught.value)
    assert detail["status"] in str(caught.value)
    assert caught.value.retry_after == 3.0


async def test_a_stream_that_breaks_off_is_ambiguous() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Chunks([b"ID3"], break_off=True))

    with pytest.raises(AmbiguousError):
        await provider_for(httpx.MockTransport(handler)).synthesize("Hi")


async def test_an_empty_stream_is_ambiguous() -> None:
    with pytest.raises(AmbiguousError, match="without any audio"):
        await provider_for(httpx.MockTransport(lambda request: httpx.Response(200))).synthesize("Hi")


async def test_blank_text_is_refused_before_anything_is_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing should be sent")

    with pytest.raises(InvalidInputError):
        await provider_for(httpx.MockTransport(handler)).synthesize("  ")
