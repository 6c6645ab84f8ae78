"""D-ID talks against a fake D-ID at the transport; polling sleeps are recorded, not slept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    PermanentError,
)
from framecast.core.http import build_http_client
from framecast.core.settings import DIDSettings
from framecast.providers.base import AvatarRenderer, MediaItem, SpeechAudio
from framecast.providers.did import DEFAULT_SOURCE_URL, DIDAvatarProvider

RESULT_URL = "https://d-id-talks-prod.s3.us-west-2.amazonaws.com/auth0/tlk_1/result.mp4?Expires=1"


class FakeDID:
    """Answers POST /talks with 201 and GET /talks/{id} from a list of statuses."""

    def __init__(self, statuses: list[dict[str, Any]]) -> None:
        self.statuses = statuses
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST":
            created = {
                "id": "tlk_1",
                "object": "talk",
                "created_by": "u",
                "created_at": "t",
                "status": "created",
            }
            return httpx.Response(201, json=created)
        status = self.statuses.pop(0)
        if "http_status" in status:
            return httpx.Response(status["http_status"], json=status["body"])
        return httpx.Response(200, json={"id": "tlk_1", **status})


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def provider_for(fake: FakeDID, sleeps: Sleeps, **options: Any) -> DIDAvatarProvider:
    http = build_http_client(transport=httpx.MockTransport(fake))
    return DIDAvatarProvider(
        http,
        "dXNlcg:secret",
        base_url="https://did.test",
        sleep=sleeps,
        poll_initial_s=1.0,
        poll_max_s=4.0,
        **options,
    )


async def publish(audio: SpeechAudio) -> str:
    return "https://tutor.example/audio/reply.mp3"


async def test_render_creates_an_audio_talk_and_polls_with_back_off_until_done(tmp_path: Path) -> None:
    fake = FakeDID(
        [
            {"status": "created"},
            {"status": "started"},
            {"status": "started"},
            {"status": "started"},
            {"status": "done", "result_url": RESULT_URL},
        ]
    )
    sleeps = Sleeps()
    did = provider_for(fake, sleeps, audio_publisher=publish, webhook="https://tutor.example/hooks/did")

    item = await did.render(SpeechAudio(b"mp3", "audio/mpeg"), portrait=None, dest_dir=tmp_path)

    assert isinstance(did, AvatarRenderer)
    assert item == MediaItem(provider_id="tlk_1", url=RESULT_URL)
    assert sleeps.delays == [1.0, 2.0, 4.0, 4.0]
    create = fake.requests[0]
    assert (create.method, str(create.url)) == ("POST", "https://did.test/talks")
    assert create.headers["Authorization"] == "Basic dXNlcg:secret"
    assert "x-api-key-external" not in create.headers
    assert json.loads(create.content) == {
        "source_url": DEFAULT_SOURCE_URL,
        "script": {"type": "audio", "audio_url": "https://tutor.example/audio/reply.mp3"},
        "config": {"fluent": False, "pad_audio": 0.0},
        "webhook": "https://tutor.example/hooks/did",
    }
    poll = fake.requests[1]
    assert (poll.method, str(poll.url)) == ("GET", "https://did.test/talks/tlk_1")
    assert poll.headers["Authorization"] == "Basic dXNlcg:secret"


async def test_speak_text_uses_an_elevenlabs_provider_and_the_external_key_header() -> None:
    fake = FakeDID([{"status": "done", "result_url": RESULT_URL}])
    did = provider_for(fake, Sleeps())
    item = await did.speak_text("Hello!", elevenlabs_key="el-key")
    assert item.url == RESULT_URL
    create = fake.requests[0]
    assert json.loads(create.headers["x-api-key-external"]) == {"elevenlabs": "el-key"}
    assert json.loads(create.content)["script"] == {
        "type": "text",
        "input": "Hello!",
        "provider": {
            "type": "elevenlabs",
            "voice_id": "21m00Tcm4TlvDq8ikWAM",
            "model_id": "eleven_multilingual_v2",
        },
    }


@pytest.mark.parametrize(
    ("status", "category", "words"),
    [
        ("error", ErrorCategory.SERVER, "could not make"),
        ("rejected", ErrorCategory.UNSAFE_CONTENT, "rejected"),
    ],
)
async def test_error_and_rejected_talks_raise_clearly(
    status: str, category: ErrorCategory, words: str
) -> None:
    failure = {"kind": "FaceError", "description": "no face detected"}
    fake = FakeDID([{"status": "started"}, {"status": status, "error": failure}])
    with pytest.raises(PermanentError, match=words) as caught:
        await provider_for(fake, Sleeps()).speak_text("Hi")
    assert caught.value.category == category
    assert "FaceError: no face detected" in str(caught.value)


async def test_a_talk_that_never_finishes_is_ambiguous_after_the_timeout() -> None:
    fake = FakeDID([{"status": "started"}] * 20)
    sleeps = Sleeps()
    with pytest.raises(AmbiguousError, match="not done"):
        await provider_for(fake, sleeps, timeout_s=10.0).speak_text("Hi")
    assert sum(sleeps.delays) >= 10.0
    assert sum(sleeps.delays[:-1]) < 10.0


async def test_done_without_a_result_url_is_ambiguous() -> None:
    with pytest.raises(AmbiguousError, match="result_url"):
        await provider_for(FakeDID([{"status": "done"}]), Sleeps()).speak_text("Hi")


async def test_a_refused_poll_is_polled_again() -> None:
    fake = FakeDID(
        [
            {"http_status": 503, "body": {"kind": "ServiceUnavailable", "description": "busy"}},
            {"status": "done", "result_url": RESULT_URL},
        ]
    )
    assert (await provider_for(fake, Sleeps()).speak_text("Hi")).url == RESULT_URL


async def test_a_missing_talk_is_a_permanent_error() -> None:
    fake = FakeDID([{"http_status": 404, "body": {"kind": "NotFoundError", "description": "talk not found"}}])
    with pytest.raises(PermanentError, match="NotFoundError: talk not found"):
        await provider_for(fake, Sleeps()).speak_text("Hi")


@pytest.mark.parametrize(
    ("status", "kind", "description", "category"),
    [
        (400, "BadRequestError", "Failed to validate script", ErrorCategory.INVALID_INPUT),
        (401, "AuthorizationError", "user unauthenticated", ErrorCategory.AUTH),
        (402, "InsufficientCreditsError", "not enough credits", ErrorCategory.QUOTA),
        (403, "PermissionError", "not allowed", ErrorCategory.AUTH),
        (451, "TextModerationError", "text was moderated", ErrorCategory.UNSAFE_CONTENT),
        (451, "CelebrityRecognizedError", "celebrity detected", ErrorCategory.UNSAFE_CONTENT),
    ],
)
async def test_create_errors_name_the_kind_and_description(
    status: int, kind: str, description: str, category: ErrorCategory
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"kind": kind, "description": description})

    did = DIDAvatarProvider(
        build_http_client(transport=httpx.MockTransport(handler)), "k", base_url="https://did.test"
    )
    with pytest.raises(PermanentError) as caught:
        await did.create_talk({"type": "text", "input": "Hi"})
    assert caught.value.category == category
    assert caught.value.status_code == status
    assert f"{kind}: {description}" in str(caught.value)


async def test_a_created_answer_without_an_id_is_ambiguous() -> None:
    did = DIDAvatarProvider(
        build_http_client(
            transport=httpx.MockTransport(lambda request: httpx.Response(201, json={"status": "created"}))
        ),
        "k",
    )
    with pytest.raises(AmbiguousError, match="without a talk id"):
        await did.create_talk({"type": "text", "input": "Hi"})


async def test_render_without_a_publisher_is_a_configuration_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing should be sent")

    did = DIDAvatarProvider(build_http_client(transport=httpx.MockTransport(handler)), "k")
    with pytest.raises(ConfigurationError, match="audio_publisher"):
        await did.render(SpeechAudio(b"mp3", "audio/mpeg"), portrait=None, dest_dir=tmp_path)


def test_building_from_settings_needs_a_key() -> None:
    with pytest.raises(ConfigurationError, match="FRAMECAST_DID__API_KEY"):
        DIDAvatarProvider.from_settings(build_http_client(), DIDSettings())
    assert (
        DIDAvatarProvider.from_settings(build_http_client(), DIDSettings(api_key=SecretStr("k"))).name
        == "d-id"
    )
