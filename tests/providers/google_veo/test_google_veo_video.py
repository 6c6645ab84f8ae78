"""GoogleVeoVideoProvider on the real google-genai SDK against the emulator: every mode, the journal's
order, and each way an operation can end."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.providers.google_veo.conftest import Providers, RecordingJournal

from framecast.core.errors import (
    ConfigurationError,
    ErrorCategory,
    GenerationFailedError,
    InvalidInputError,
    RefusedError,
)
from framecast.core.settings import GoogleSettings
from framecast.emulators.google_veo.testing import EmulatorHandle
from framecast.providers.base import Aspect, GenerationRequest, Mode, NullJournal

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "000154a24f5d0000000049454e44ae426082"
)


def picture(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(PNG)
    return path


def is_mp4(path: Path) -> bool:
    return path.read_bytes()[4:8] == b"ftyp"


async def test_text_to_video_journals_the_operation_before_the_first_poll_and_downloads_an_mp4(
    providers: Providers, journal: RecordingJournal, google: EmulatorHandle
) -> None:
    result = await providers.video.generate_video(
        GenerationRequest(Mode.TEXT, "a red fox running through snow", count=2), journal
    )
    assert journal.log[:3] == ["before_submit", "accepted", "poll"]
    assert journal.provider_ids[0].startswith("models/veo-3.1-generate-preview/operations/")
    assert len(result.items) == 2
    assert all(item.path is not None and is_mp4(item.path) for item in result.items)
    assert {item.provider_id for item in result.items} == set(journal.provider_ids)
    stats = google.stats()
    assert stats["operations_created"] == 1
    assert stats["downloads"] == 2


async def test_frames_and_ingredients_send_images_and_come_back_as_videos(
    providers: Providers, tmp_path: Path, google: EmulatorHandle
) -> None:
    frames = GenerationRequest(
        Mode.FRAMES,
        "the fox turns",
        Aspect.PORTRAIT,
        start_image=picture(tmp_path, "a.png"),
        end_image=picture(tmp_path, "b.png"),
        duration_seconds=6,
        negative_prompt="blur",
        person_generation="allow_adult",
        resolution="720p",
    )
    ingredients = GenerationRequest(
        Mode.INGREDIENTS, "the fox in a forest", reference_images=(picture(tmp_path, "c.png"),) * 3
    )
    for request in (frames, ingredients):
        result = await providers.video.generate_video(request, NullJournal())
        path = result.items[0].path
        assert path is not None
        assert is_mp4(path)
    assert google.stats()["operations_created"] == 2


async def test_filtered_videos_are_unsafe_content_with_googles_reasons(
    providers: Providers, google: EmulatorHandle
) -> None:
    google.force_faults(["rai_filtered"])
    with pytest.raises(GenerationFailedError) as caught:
        await providers.video.generate_video(GenerationRequest(Mode.TEXT, "a fox"), NullJournal())
    assert caught.value.category is ErrorCategory.UNSAFE_CONTENT
    assert "Responsible AI practices" in caught.value.message


async def test_an_operation_error_is_a_generation_failure(
    providers: Providers, google: EmulatorHandle
) -> None:
    google.force_faults(["operation_error"])
    with pytest.raises(GenerationFailedError) as caught:
        await providers.video.generate_video(GenerationRequest(Mode.TEXT, "a fox"), NullJournal())
    assert caught.value.category is ErrorCategory.SERVER
    assert "internal error" in caught.value.message


@pytest.mark.parametrize("fault", ["resource_exhausted", "unavailable"])
async def test_429_and_503_are_retry_safe_rate_limits_with_the_delay_google_asks_for(
    providers: Providers, journal: RecordingJournal, google: EmulatorHandle, fault: str
) -> None:
    google.force_faults([fault])
    with pytest.raises(RefusedError) as caught:
        await providers.video.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)
    error = caught.value
    assert error.retry_safe
    assert error.category is ErrorCategory.RATE_LIMIT
    if fault == "resource_exhausted":
        assert error.retry_after == 1.0
    assert journal.log == ["before_submit"]
    assert google.stats()["operations_created"] == 0


async def test_a_dropped_poll_is_polled_again_on_the_same_operation(
    providers: Providers, google: EmulatorHandle
) -> None:
    google.force_faults(["drop_poll", "poll_unavailable"])
    result = await providers.video.generate_video(GenerationRequest(Mode.TEXT, "a fox"), NullJournal())
    assert len(result.items) == 1
    stats = google.stats()
    assert stats["operations_created"] == 1
    assert stats["faults"] == {"drop_poll": 1, "poll_unavailable": 1}


async def test_seed_and_audio_are_refused_on_the_gemini_api_naming_the_option(
    providers: Providers, journal: RecordingJournal
) -> None:
    for request in (
        GenerationRequest(Mode.TEXT, "a fox", seed=7),
        GenerationRequest(Mode.TEXT, "a fox", generate_audio=False),
    ):
        with pytest.raises(InvalidInputError, match=r"(Seed \(--seed\)|Audio).*Vertex AI"):
            await providers.video.generate_video(request, journal)
    assert journal.log == []


async def test_no_key_is_a_configuration_error_before_anything_is_journalled(
    providers: Providers, config: GoogleSettings, journal: RecordingJournal
) -> None:
    config.api_key = None
    with pytest.raises(ConfigurationError, match="FRAMECAST_GOOGLE__API_KEY"):
        await providers.video.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)
    assert journal.log == []
