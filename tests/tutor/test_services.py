"""Which Tutor providers settings choose, and a whole conversation turn on the remote providers
(ElevenLabs STT/TTS, OpenRouter) faked at the HTTP transport, through the real WebSocket route."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.providers.elevenlabs.stt import ElevenLabsSpeechToTextProvider
from framecast.providers.elevenlabs.tts import ElevenLabsTextToSpeechProvider
from framecast.providers.offline.audio import pcm_to_wav
from framecast.providers.offline.avatar import OfflineAvatarRenderer
from framecast.providers.offline.stt import OfflineSpeechToTextProvider
from framecast.providers.offline.tts import OfflineTextToSpeechProvider
from framecast.tutor.llm_brain import LLMTutor
from framecast.tutor.scripted import ScriptedTutor
from framecast.tutor.services import build_services, choose
from framecast.web.app import create_app
from tests.web.conftest import make_account


def with_keys(settings: Settings, **tutor: Any) -> Settings:
    return settings.model_copy(
        update={
            "elevenlabs": settings.elevenlabs.model_copy(update={"api_key": SecretStr("el-key")}),
            "openrouter": settings.openrouter.model_copy(update={"api_key": SecretStr("or-key")}),
            "tutor": settings.tutor.model_copy(update=tutor),
        }
    )


async def test_no_keys_means_every_capability_is_offline(settings: Settings) -> None:
    assert choose(settings) == {"stt": "offline", "tts": "offline", "chat": "offline", "avatar": "offline"}
    services = build_services(settings)
    try:
        assert isinstance(services.stt, OfflineSpeechToTextProvider)
        assert isinstance(services.tts, OfflineTextToSpeechProvider)
        assert isinstance(services.brain, ScriptedTutor)
        assert isinstance(services.avatar, OfflineAvatarRenderer)
        assert services.scorer is services.stt
        assert services.tts.default_voice == "en-us+f2"
        assert services.billed == frozenset()  # nothing costs money, so warming up may use them all
    finally:
        await services.aclose()


async def test_keys_switch_auto_capabilities_to_the_remote_providers(settings: Settings) -> None:
    keyed = with_keys(settings)
    assert choose(keyed) == {
        "stt": "elevenlabs",
        "tts": "elevenlabs",
        "chat": "openrouter",
        "avatar": "offline",
    }
    services = build_services(keyed)
    try:
        assert isinstance(services.stt, ElevenLabsSpeechToTextProvider)
        assert isinstance(services.tts, ElevenLabsTextToSpeechProvider)
        assert isinstance(services.brain, LLMTutor)
        assert isinstance(services.scorer, OfflineSpeechToTextProvider)  # pronunciation stays local
        assert services.billed == {"stt", "tts", "chat"}
    finally:
        await services.aclose()


async def test_an_explicit_choice_wins_over_keys(settings: Settings) -> None:
    services = build_services(with_keys(settings, chat="offline", stt="offline", avatar="none"))
    try:
        assert isinstance(services.brain, ScriptedTutor)
        assert isinstance(services.stt, OfflineSpeechToTextProvider)
        assert services.avatar is None
    finally:
        await services.aclose()


@pytest.mark.parametrize(
    ("tutor", "problem"),
    [
        ({"stt": "elevenlabs"}, "FRAMECAST_ELEVENLABS__API_KEY"),
        ({"avatar": "did"}, "FRAMECAST_TUTOR__PUBLIC_BASE_URL"),
    ],
)
def test_a_remote_provider_without_its_settings_is_a_clear_error(
    settings: Settings, tutor: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        build_services(settings.model_copy(update={"tutor": settings.tutor.model_copy(update=tutor)}))


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "model": "openai/gpt-5-chat",
        "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
    }


SPOKEN = "Yesterday I go to the park and I see an dog."
CORRECTION = {
    "has_errors": True,
    "corrections": [
        {
            "type": "grammar",
            "original": "go",
            "corrected": "went",
            "explanation": "과거 시제를 쓰세요.",
            "severity": "medium",
        },
        {
            "type": "grammar",
            "original": "see",
            "corrected": "saw",
            "explanation": "과거 시제를 쓰세요.",
            "severity": "medium",
        },
        {
            "type": "expression",
            "original": "an dog",
            "corrected": "a dog",
            "explanation": "관사",
            "severity": "low",
        },
    ],
    "better_expression": "Yesterday I went to the park and saw a dog.",
    "overall_feedback": "좋아요!",
}


def test_a_spoken_turn_on_the_remote_providers(settings: Settings) -> None:
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.elevenlabs.io" and request.url.path == "/v1/speech-to-text":
            assert request.headers["xi-api-key"] == "el-key"
            body = request.read()
            assert b'name="model_id"' in body
            assert b'name="file"' in body
            words = [
                {"text": w, "start": i * 0.3, "end": i * 0.3 + 0.25, "type": "word", "logprob": -0.05}
                for i, w in enumerate(
                    ["Yesterday", "I", "go", "to", "the", "park", "and", "I", "see", "an", "dog."]
                )
            ]
            return httpx.Response(
                200,
                json={
                    "language_code": "en",
                    "text": "Yesterday I go to the park and I see an dog.",
                    "words": words,
                },
            )
        if request.url.host == "api.elevenlabs.io" and request.url.path.endswith("/stream"):
            assert request.url.params["output_format"].startswith("mp3_")
            return httpx.Response(200, headers={"content-type": "audio/mpeg"}, content=b"ID3remote-speech")
        if request.url.host == "openrouter.ai":
            assert request.headers["authorization"] == "Bearer or-key"
            payload = json.loads(request.read())
            if "response_format" in payload:
                assert "Korean" in json.dumps(
                    payload["messages"], ensure_ascii=False
                ) or "한국어" in json.dumps(payload["messages"], ensure_ascii=False)
                return httpx.Response(200, json=completion(json.dumps(CORRECTION, ensure_ascii=False)))
            return httpx.Response(200, json=completion("That sounds lovely! What kind of dog was it?"))
        return httpx.Response(404, json={"detail": "unexpected"})

    keyed = with_keys(settings, avatar="none")
    app = create_app(keyed, embedded_worker=False, transport=httpx.MockTransport(vendor))
    account = make_account(app.state.web, "remote@example.com", name="Remote")
    # A real recording (half a second of faint noise): the words come from the faked Scribe, but
    # the recording is still checked and measured, and scored by the offline recogniser.
    noise = np.random.default_rng(3).integers(-60, 60, 8000).astype(np.int16).tobytes()
    audio = base64.b64encode(pcm_to_wav(noise, 16000)).decode()
    with TestClient(app) as client:
        session = client.post("/api/conversations/sessions", json={"language": "ko"}, headers=account.headers)
        assert session.status_code == 201, session.text
        with client.websocket_connect(f"/ws/conversation/{session.json()['id']}?token={account.token}") as ws:
            opening = json.loads(ws.receive_text())
            assert opening["type"] == "response"
            assert base64.b64decode(opening["data"]["audio"]) == b"ID3remote-speech"
            ws.send_text(json.dumps({"type": "audio", "data": {"audio": audio, "mime": "audio/webm"}}))
            messages = [json.loads(ws.receive_text()) for _ in range(3)]
    transcription, correction, response = messages
    assert transcription["data"]["text"] == "Yesterday I go to the park and I see an dog."
    # The noise holds none of the words Scribe "heard": pronunciation corrections say so, apart.
    pairs = [
        (c["type"], c["original"], c["corrected"])
        for c in correction["data"]["corrections"]
        if c["type"] != "pronunciation"
    ]
    # The model's own corrections (its labels), used because they pass the checker's validation.
    assert pairs == [("grammar", "go", "went"), ("grammar", "see", "saw"), ("vocabulary", "an dog", "a dog")]
    assert correction["data"]["better_expression"] == "Yesterday I went to the park and saw a dog."
    assert response["data"]["text"] == "That sounds lovely! What kind of dog was it?"
    assert base64.b64decode(response["data"]["audio"]) == b"ID3remote-speech"
    paths = [(r.url.host, r.url.path) for r in seen]
    assert ("api.elevenlabs.io", "/v1/speech-to-text") in paths
    chat_calls = [r for r in seen if r.url.host == "openrouter.ai"]
    assert len(chat_calls) == 3  # opening, analysis, reply: each once
