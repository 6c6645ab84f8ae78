"""GenAIProImageProvider: form fields (urlencoded or multipart) and the image completion."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from tests.providers.genaipro.genaipro_fakes import FakeGenAIPro, RecordingJournal

from framecast.core.errors import InvalidInputError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import Aspect, GenerationRequest, ImageGenerator, MediaItem, Mode
from framecast.providers.genaipro.image import GenAIProImageProvider

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 32


@pytest.fixture
def provider(http: httpx.AsyncClient, config: GenAIProSettings) -> GenAIProImageProvider:
    return GenAIProImageProvider(http, config)


@pytest.fixture
def done(fake: FakeGenAIPro) -> FakeGenAIPro:
    completion = (
        '{"id":"img1","prompt":"a fox","file_urls":["https://files.genaipro.vn/image_1.png",'
        '"https://files.genaipro.vn/image_2.png"],"status":"completed","created_at":"2026-03-30T10:00:00Z"}'
    )
    fake.stream(
        [fake.sse(("image_generation_status", "generating"), ("image_generation_complete", completion))]
    )
    return fake


def test_the_provider_is_an_image_generator(provider: GenAIProImageProvider) -> None:
    assert isinstance(provider, ImageGenerator)


@pytest.mark.parametrize(
    ("aspect", "wire"),
    [
        (Aspect.LANDSCAPE, "IMAGE_ASPECT_RATIO_LANDSCAPE"),
        (Aspect.PORTRAIT, "IMAGE_ASPECT_RATIO_PORTRAIT"),
        (Aspect.SQUARE, "IMAGE_ASPECT_RATIO_SQUARE"),
    ],
)
async def test_without_references_the_fields_are_urlencoded(
    provider: GenAIProImageProvider, done: FakeGenAIPro, journal: RecordingJournal, aspect: Aspect, wire: str
) -> None:
    request = GenerationRequest(Mode.IMAGE, "a fox", aspect=aspect, count=2)
    result = await provider.generate_image(request, journal)
    sent = done.last
    assert sent.url.path == "/api/v1/veo/create-image"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.content.decode()) == {
        "prompt": ["a fox"],
        "aspect_ratio": [wire],
        "number_of_images": ["2"],
    }
    assert [item.url for item in result.items] == [
        "https://files.genaipro.vn/image_1.png",
        "https://files.genaipro.vn/image_2.png",
    ]
    assert result.items[0] == MediaItem(
        "img1",
        url="https://files.genaipro.vn/image_1.png",
        prompt="a fox",
        created_at=result.items[0].created_at,
    )
    assert done.log[0] == "before_submit"
    assert ("accepted", ("img1",)) in done.log


async def test_with_references_the_request_is_multipart(
    provider: GenAIProImageProvider, done: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.png", tmp_path / "b.jpg"
    first.write_bytes(PNG)
    second.write_bytes(JPEG)
    request = GenerationRequest(Mode.IMAGE, "a fox", count=1, reference_images=(first, second))
    await provider.generate_image(request, journal)
    assert done.last.headers["content-type"].startswith("multipart/form-data")
    assert done.fields() == {
        "prompt": ["a fox"],
        "aspect_ratio": ["IMAGE_ASPECT_RATIO_LANDSCAPE"],
        "number_of_images": ["1"],
    }
    assert done.files() == [
        ("reference_images", "reference_images_1.png", "image/png", PNG),
        ("reference_images", "reference_images_2.jpg", "image/jpeg", JPEG),
    ]


async def test_a_video_request_is_refused_before_anything_is_sent(
    provider: GenAIProImageProvider, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    with pytest.raises(InvalidInputError):
        await provider.generate_image(GenerationRequest(Mode.TEXT, "p"), journal)
    assert fake.log == []


async def test_a_reference_that_is_not_an_image_is_refused_before_anything_is_sent(
    provider: GenAIProImageProvider, fake: FakeGenAIPro, journal: RecordingJournal, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(InvalidInputError, match=r"notes\.txt"):
        await provider.generate_image(GenerationRequest(Mode.IMAGE, "p", reference_images=(bad,)), journal)
    assert fake.log == []
