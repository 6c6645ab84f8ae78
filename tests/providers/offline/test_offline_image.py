"""The offline image provider through the ImageGenerator protocol."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from tests.providers.offline.offline_media import save, structured
from tests.providers.offline.recording_journal import RecordingJournal

from framecast.core.errors import InvalidInputError
from framecast.core.settings import OfflineSettings
from framecast.providers.base import Aspect, GenerationRequest, ImageGenerator, Mode, NullJournal, Progress
from framecast.providers.offline.image import OfflineImageProvider


@pytest.fixture
def provider(tmp_path: Path) -> OfflineImageProvider:
    return OfflineImageProvider(OfflineSettings(short_side=120), tmp_path / "images")


def test_it_is_an_image_generator_named_offline(provider: OfflineImageProvider) -> None:
    assert isinstance(provider, ImageGenerator)
    assert provider.name == "offline"


async def test_every_requested_image_is_a_distinct_png_of_the_aspects_size(
    provider: OfflineImageProvider,
) -> None:
    journal = RecordingJournal()
    request = GenerationRequest(Mode.IMAGE, "A teapot shaped like a whale", Aspect.SQUARE, count=3)

    result = await provider.generate_image(request, journal)

    assert len(result.items) == 3
    contents = set()
    for item in result.items:
        assert item.path is not None
        assert item.path.suffix == ".png"
        assert item.provider_id is not None
        assert item.provider_id.startswith("offline-")
        with Image.open(item.path) as image:
            assert (image.format, image.size) == ("PNG", (120, 120))
        contents.add(item.path.read_bytes())
    assert len(contents) == 3
    assert journal.progress_reports[-1] == Progress("completed", 100)
    assert "before_submit" not in journal.calls


async def test_references_are_composed_into_the_image(provider: OfflineImageProvider, tmp_path: Path) -> None:
    ref = save(structured(90, 60, 4), tmp_path / "ref.png")
    request = GenerationRequest(Mode.IMAGE, "in this style", Aspect.PORTRAIT, reference_images=(ref,))

    (item,) = (await provider.generate_image(request, NullJournal())).items

    assert item.path is not None
    with Image.open(item.path) as image:
        assert image.size == (120, 214)


async def test_a_bad_reference_is_refused_naming_it(provider: OfflineImageProvider, tmp_path: Path) -> None:
    bad = tmp_path / "style.webp"
    bad.write_bytes(b"RIFF....WEBPgarbage")
    request = GenerationRequest(Mode.IMAGE, "x", reference_images=(bad,))

    with pytest.raises(InvalidInputError, match=r"style\.webp"):
        await provider.generate_image(request, NullJournal())


async def test_a_video_request_is_refused(provider: OfflineImageProvider) -> None:
    with pytest.raises(InvalidInputError, match="video"):
        await provider.generate_image(GenerationRequest(Mode.TEXT, "x"), NullJournal())
