"""GenAIProVideoProvider: the exact request each mode sends, and validation before anything is paid."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.providers.genaipro.genaipro_fakes import FakeGenAIPro, RecordingJournal

from framecast.core.errors import ConfigurationError, InvalidInputError, PermanentError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import Aspect, GenerationRequest, MediaItem, Mode, NullJournal, VideoGenerator
from framecast.providers.genaipro.video import GenAIProVideoProvider

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x02" * 64


@pytest.fixture
def provider(http: httpx.AsyncClient, config: GenAIProSettings) -> GenAIProVideoProvider:
    return GenAIProVideoProvider(http, config)


@pytest.fixture
def done(fake: FakeGenAIPro) -> FakeGenAIPro:
    """The fake answers every generation with two finished videos."""
    completion = fake.completion(
        {"id": "v1", "file_url": "https://files.test/1.mp4", "status": "completed"},
        {"id": "v2", "file_url": "https://files.test/2.mp4", "status": "completed"},
    )
    fake.stream(
        [fake.sse(("video_generation_status", "starting"), ("video_generation_complete", completion))]
    )
    return fake


def image(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_the_provider_is_a_video_generator(provider: GenAIProVideoProvider) -> None:
    assert isinstance(provider, VideoGenerator)
    assert provider.name == "genaipro"


async def test_generating_without_a_key_is_a_configuration_error(http: httpx.AsyncClient) -> None:
    provider = GenAIProVideoProvider(http, GenAIProSettings())
    with pytest.raises(ConfigurationError, match="FRAMECAST_GENAIPRO__API_KEY"):
        await provider.generate_video(GenerationRequest(Mode.TEXT, "p"), NullJournal())


@pytest.mark.parametrize(
    ("aspect", "wire"),
    [(Aspect.LANDSCAPE, "VIDEO_ASPECT_RATIO_LANDSCAPE"), (Aspect.PORTRAIT, "VIDEO_ASPECT_RATIO_PORTRAIT")],
)
async def test_text_to_video_posts_json_with_an_integer_count(
    provider: GenAIProVideoProvider, done: FakeGenAIPro, journal: RecordingJournal, aspect: Aspect, wire: str
) -> None:
    request = GenerationRequest(Mode.TEXT, "A cat playing with a ball", aspect=aspect, count=2)
    result = await provider.generate_video(request, journal)
    sent = done.last
    assert sent.url.path == "/api/v1/veo/text-to-video"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == {
        "prompt": "A cat playing with a ball",
        "aspect_ratio": wire,
        "number_of_videos": 2,
    }
    assert result.items == (
        MediaItem("v1", url="https://files.test/1.mp4"),
        MediaItem("v2", url="https://files.test/2.mp4"),
    )
    assert done.log[0] == "before_submit"


async def test_frames_to_video_sends_the_start_image_and_string_fields(
    provider: GenAIProVideoProvider, done: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    start = image(tmp_path, "my frame.PNG", PNG)
    request = GenerationRequest(Mode.FRAMES, "zoom in", aspect=Aspect.PORTRAIT, count=3, start_image=start)
    await provider.generate_video(request, journal)
    assert done.last.url.path == "/api/v1/veo/frames-to-video"
    assert done.last.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert done.fields() == {
        "prompt": ["zoom in"],
        "aspect_ratio": ["VIDEO_ASPECT_RATIO_PORTRAIT"],
        "number_of_videos": ["3"],
    }
    assert done.files() == [("start_image", "start_image.png", "image/png", PNG)]


async def test_frames_to_video_sends_an_end_image_with_its_own_type(
    provider: GenAIProVideoProvider, done: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    start = image(tmp_path, "a.jpg", JPEG)
    end = image(tmp_path, "b.bin", WEBP)  # the content decides the type, not the name
    request = GenerationRequest(Mode.FRAMES, "morph", start_image=start, end_image=end)
    await provider.generate_video(request, journal)
    assert done.files() == [
        ("start_image", "start_image.jpg", "image/jpeg", JPEG),
        ("end_image", "end_image.webp", "image/webp", WEBP),
    ]
    assert done.fields()["aspect_ratio"] == ["VIDEO_ASPECT_RATIO_LANDSCAPE"]


async def test_ingredients_to_video_repeats_reference_images_and_sends_no_aspect(
    provider: GenAIProVideoProvider, done: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    refs = (image(tmp_path, "1.png", PNG), image(tmp_path, "2.jpg", JPEG), image(tmp_path, "3.webp", WEBP))
    request = GenerationRequest(Mode.INGREDIENTS, "a fox and a hat", count=1, reference_images=refs)
    await provider.generate_video(request, journal)
    assert done.last.url.path == "/api/v1/veo/ingredients-to-video"
    assert done.fields() == {"prompt": ["a fox and a hat"], "number_of_videos": ["1"]}
    assert done.files() == [
        ("reference_images", "reference_images_1.png", "image/png", PNG),
        ("reference_images", "reference_images_2.jpg", "image/jpeg", JPEG),
        ("reference_images", "reference_images_3.webp", "image/webp", WEBP),
    ]


async def test_a_large_start_image_arrives_intact(
    provider: GenAIProVideoProvider, done: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    content = PNG + bytes(range(256)) * 20_000  # about 5 MB
    request = GenerationRequest(Mode.FRAMES, "p", start_image=image(tmp_path, "big.png", content))
    await provider.generate_video(request, journal)
    assert done.files()[0][3] == content


async def test_a_file_that_is_not_an_image_is_refused_before_anything_is_sent(
    provider: GenAIProVideoProvider, fake: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    start = image(tmp_path, "frame.png", b"GIF89a not supported")
    with pytest.raises(InvalidInputError, match=r"frame\.png is not a JPEG, PNG or WebP image"):
        await provider.generate_video(GenerationRequest(Mode.FRAMES, "p", start_image=start), journal)
    assert fake.log == []


@pytest.mark.parametrize(
    "request_",
    [
        GenerationRequest(Mode.TEXT, "   "),
        GenerationRequest(Mode.TEXT, "p", count=5),
        GenerationRequest(Mode.TEXT, "p", aspect=Aspect.SQUARE),
        GenerationRequest(Mode.FRAMES, "p"),
        GenerationRequest(Mode.INGREDIENTS, "p"),
        GenerationRequest(Mode.FRAMES, "p", start_image=Path("/nonexistent/frame.png")),
        GenerationRequest(Mode.IMAGE, "p"),
    ],
)
async def test_invalid_requests_are_refused_before_anything_is_sent(
    provider: GenAIProVideoProvider,
    fake: FakeGenAIPro,
    journal: RecordingJournal,
    request_: GenerationRequest,
) -> None:
    with pytest.raises(InvalidInputError):
        await provider.generate_video(request_, journal)
    assert fake.log == []


async def test_provider_errors_pass_through(
    provider: GenAIProVideoProvider, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("error", '{"error":"UNSAFE_GENERATION","code":400}'))])
    with pytest.raises(PermanentError, match="UNSAFE_GENERATION"):
        await provider.generate_video(GenerationRequest(Mode.TEXT, "p"), journal)
