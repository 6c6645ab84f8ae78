"""Scribe speech to text against a fake ElevenLabs at the transport."""

from __future__ import annotations

import json
import math
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import pytest
from pydantic import SecretStr

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    InvalidInputError,
    NotSentError,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.core.http import build_http_client
from framecast.core.settings import ElevenLabsSettings
from framecast.providers.base import SpeechToText, WordTiming
from framecast.providers.elevenlabs import ElevenLabsSpeechToTextProvider

SCRIBE_REPLY = {
    "language_code": "en",
    "language_probability": 0.98,
    "text": "Hello world!",
    "words": [
        {
            "text": "Hello",
            "start": 0.0,
            "end": 0.5,
            "type": "word",
            "speaker_id": "speaker_1",
            "logprob": -0.1,
        },
        {"text": " ", "start": 0.5, "end": 0.5, "type": "spacing", "logprob": 0.0},
        {"text": "world!", "start": 0.5, "end": 1.2, "type": "word", "logprob": -2.0},
        {"text": "(laughter)", "start": 1.2, "end": 1.5, "type": "audio_event", "logprob": -0.3},
    ],
}


def form_parts(request: httpx.Request) -> dict[str, Message]:
    """The multipart/form-data parts of ``request`` by field name."""
    raw = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.read()
    message = BytesParser(policy=HTTP).parsebytes(raw)
    parts: dict[str, Message] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[str(name)] = part
    return parts


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def provider_for(handler: httpx.MockTransport) -> ElevenLabsSpeechToTextProvider:
    http = build_http_client(transport=handler)
    return ElevenLabsSpeechToTextProvider(http, "el-key", base_url="https://el.test")


async def test_the_request_is_multipart_with_file_model_id_and_language_code() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=SCRIBE_REPLY)

    stt = provider_for(httpx.MockTransport(handler))
    await stt.transcribe(b"OggS-audio", mime="audio/ogg;codecs=opus", language="en")

    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == "https://el.test/v1/speech-to-text"
    assert request.headers["xi-api-key"] == "el-key"
    parts = form_parts(request)
    assert set(parts) == {"file", "model_id", "language_code"}
    assert parts["file"].get_filename() == "audio.ogg"
    assert parts["file"].get_content_type() == "audio/ogg"
    assert parts["file"].get_payload(decode=True) == b"OggS-audio"
    assert part_text(parts["model_id"]) == "scribe_v1"
    assert part_text(parts["language_code"]) == "en"


async def test_an_empty_language_lets_scribe_detect_it() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=SCRIBE_REPLY)

    await provider_for(httpx.MockTransport(handler)).transcribe(b"RIFF", mime="audio/wav", language="")
    assert set(form_parts(seen[0])) == {"file", "model_id"}


async def test_words_keep_their_timings_and_spacing_and_events_are_dropped() -> None:
    stt = provider_for(httpx.MockTransport(lambda request: httpx.Response(200, json=SCRIBE_REPLY)))
    transcript = await stt.transcribe(b"audio", mime="audio/webm")

    assert isinstance(stt, SpeechToText)
    assert transcript.text == "Hello world!"
    assert transcript.language == "en"
    assert transcript.words == (
        WordTiming("Hello", 0.0, 0.5, math.exp(-0.1)),
        WordTiming("world!", 0.5, 1.2, math.exp(-2.0)),
    )


async def test_a_multichannel_answer_is_joined_in_time_order() -> None:
    reply = {
        "transcripts": [
            {
                "language_code": "eng",
                "text": "Hi",
                "words": [{"text": "Hi", "start": 1.0, "end": 1.2, "type": "word"}],
            },
            {
                "language_code": "eng",
                "text": "Yo",
                "words": [{"text": "Yo", "start": 0.1, "end": 0.3, "type": "word"}],
            },
        ]
    }
    stt = provider_for(httpx.MockTransport(lambda request: httpx.Response(200, json=reply)))
    transcript = await stt.transcribe(b"audio")
    assert transcript.text == "Hi Yo"
    assert [w.word for w in transcript.words] == ["Yo", "Hi"]
    assert transcript.words[0].confidence is None
    assert transcript.language == "eng"


async def test_empty_audio_is_refused_before_anything_is_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing should be sent")

    with pytest.raises(InvalidInputError, match="empty"):
        await provider_for(httpx.MockTransport(handler)).transcribe(b"")


@pytest.mark.parametrize(
    ("status", "body", "error_type", "category", "words"),
    [
        (
            401,
            {"detail": {"status": "quota_exceeded", "message": "This request exceeds your quota of 10000."}},
            PermanentError,
            ErrorCategory.AUTH,
            ["exceeds your quota", "quota_exceeded"],
        ),
        (
            401,
            {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}},
            PermanentError,
            ErrorCategory.AUTH,
            ["Invalid API key"],
        ),
        (
            429,
            {"detail": {"status": "too_many_concurrent_requests", "message": "Too many concurrent requests"}},
            RefusedError,
            ErrorCategory.RATE_LIMIT,
            ["too_many_concurrent_requests"],
        ),
        (
            422,
            {
                "detail": [
                    {"loc": ["body", "model_id"], "msg": "field required", "type": "value_error.missing"}
                ]
            },
            PermanentError,
            ErrorCategory.INVALID_INPUT,
            ["body.model_id: field required"],
        ),
        (503, b"<html>down</html>", RefusedError, ErrorCategory.SERVER, ["down"]),
    ],
)
async def test_error_bodies_become_clear_categorised_errors(
    status: int, body: object, error_type: type[ProviderError], category: ErrorCategory, words: list[str]
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    stt = provider_for(httpx.MockTransport(lambda request: httpx.Response(status, content=content)))
    with pytest.raises(error_type) as caught:
        await stt.transcribe(b"audio")
    error = caught.value
    assert error.category == category
    assert error.status_code == status
    for word in words:
        assert word in str(error)


async def test_a_webhook_acceptance_is_not_mistaken_for_a_transcript() -> None:
    reply = {"message": "Request accepted", "request_id": "r1", "transcription_id": "t1"}
    stt = provider_for(httpx.MockTransport(lambda request: httpx.Response(202, json=reply)))
    with pytest.raises(AmbiguousError):
        await stt.transcribe(b"audio")


async def test_an_unreachable_server_means_nothing_was_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(NotSentError):
        await provider_for(httpx.MockTransport(handler)).transcribe(b"audio")


def test_building_from_settings_needs_a_key() -> None:
    http = build_http_client()
    with pytest.raises(ConfigurationError, match="FRAMECAST_ELEVENLABS__API_KEY"):
        ElevenLabsSpeechToTextProvider.from_settings(http, ElevenLabsSettings())
    built = ElevenLabsSpeechToTextProvider.from_settings(http, ElevenLabsSettings(api_key=SecretStr("k")))
    assert built.name == "elevenlabs"
