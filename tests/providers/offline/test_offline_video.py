"""The offline video provider through the VideoGenerator protocol."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from tests.providers.offline.offline_media import probe, save, structured
from tests.providers.offline.recording_journal import RecordingJournal

from framecast.core.errors import ErrorCategory, InvalidInputError, NotSentError
from framecast.core.settings import OfflineSettings
from framecast.providers.base import Aspect, GenerationRequest, Mode, NullJournal, Progress, VideoGenerator
from framecast.providers.offline.video import OfflineVideoProvider

QUICK = OfflineSettings(seconds=0.5, fps=8, short_side=96)


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def provider(work_dir: Path) -> OfflineVideoProvider:
    return OfflineVideoProvider(QUICK, work_dir)


def test_it_is_a_video_generator_named_offline(provider: OfflineVideoProvider) -> None:
    assert isinstance(provider, VideoGenerator)
    assert provider.name == "offline"


async def test_text_to_video_renders_every_requested_clip_with_progress(
    provider: OfflineVideoProvider, work_dir: Path
) -> None:
    journal = RecordingJournal()
    request = GenerationRequest(Mode.TEXT, "A fox in the snow", Aspect.PORTRAIT, count=2)

    result = await provider.generate_video(request, journal)

    assert len(result.items) == 2
    paths = [item.path for item in result.items]
    assert len(set(paths)) == 2
    for item in result.items:
        assert item.path is not None
        assert item.provider_id is not None
        assert item.provider_id.startswith("offline-")
        assert item.path == work_dir / f"{item.provider_id}.mp4"
        assert item.prompt == "A fox in the snow"
        assert item.created_at is not None
        info = probe(item.path)
        assert (info.codec, info.width, info.height, len(info.frames)) == ("h264", 96, 170, 4)
    # The two clips are different renders (seed 0 and seed 1), not copies.
    assert paths[0] is not None
    assert paths[1] is not None
    assert paths[0].read_bytes() != paths[1].read_bytes()
    assert journal.progress_reports[0] == Progress("starting", 0)
    assert journal.progress_reports[-1] == Progress("completed", 100)
    assert "before_submit" not in journal.calls  # nothing is ever charged


async def test_frames_to_video_interpolates_the_given_frames(
    provider: OfflineVideoProvider, tmp_path: Path
) -> None:
    start = save(structured(170, 96, 1), tmp_path / "start.png")
    end = save(structured(170, 96, 2), tmp_path / "end.png")
    request = GenerationRequest(Mode.FRAMES, "morph", start_image=start, end_image=end)

    result = await provider.generate_video(request, NullJournal())

    (item,) = result.items
    assert item.path is not None
    info = probe(item.path)
    assert (info.width, info.height, len(info.frames)) == (170, 96, 4)


async def test_ingredients_to_video_uses_the_references(
    provider: OfflineVideoProvider, tmp_path: Path
) -> None:
    refs = tuple(save(structured(80, 60, seed), tmp_path / f"ref{seed}.png") for seed in range(3))
    request = GenerationRequest(Mode.INGREDIENTS, "a collage", reference_images=refs)

    result = await provider.generate_video(request, NullJournal())

    (item,) = result.items
    assert item.path is not None
    assert probe(item.path).codec == "h264"


async def test_the_event_loop_keeps_running_while_a_clip_renders(provider: OfflineVideoProvider) -> None:
    ticks_while_rendering = 0
    rendering = True

    async def ticker() -> None:
        nonlocal ticks_while_rendering
        while rendering:
            ticks_while_rendering += 1
            await anyio.sleep(0)

    request = GenerationRequest(Mode.TEXT, "A lighthouse in a storm")
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(ticker)
        await anyio.sleep(0)  # let the ticker start
        ticks_before = ticks_while_rendering
        await provider.generate_video(request, NullJournal())
        ticks_after = ticks_while_rendering
        rendering = False

    assert ticks_after > ticks_before


async def test_a_bad_image_is_refused_naming_it_and_leaves_no_files(
    provider: OfflineVideoProvider, tmp_path: Path, work_dir: Path
) -> None:
    start = tmp_path / "holiday.jpg"
    start.write_text("not a jpeg")
    request = GenerationRequest(Mode.FRAMES, "go", start_image=start, count=2)

    with pytest.raises(InvalidInputError, match=r"holiday\.jpg"):
        await provider.generate_video(request, NullJournal())

    assert not work_dir.exists() or list(work_dir.iterdir()) == []


async def test_an_invalid_request_is_refused_before_rendering(provider: OfflineVideoProvider) -> None:
    with pytest.raises(InvalidInputError, match="not square"):
        await provider.generate_video(GenerationRequest(Mode.TEXT, "x", Aspect.SQUARE), NullJournal())
    with pytest.raises(InvalidInputError, match="image"):
        await provider.generate_video(GenerationRequest(Mode.IMAGE, "x"), NullJournal())


async def test_a_render_failure_is_a_retry_safe_provider_error(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media folder should be")
    provider = OfflineVideoProvider(QUICK, blocked)

    with pytest.raises(NotSentError) as caught:
        await provider.generate_video(GenerationRequest(Mode.TEXT, "x"), NullJournal())

    assert caught.value.provider == "offline"
    assert caught.value.category is ErrorCategory.SERVER
    assert caught.value.retry_safe
