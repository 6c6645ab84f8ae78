"""GenAIPro v2 (``api_version=2``) against the emulator: 202 submissions journalled at once, one
poller for every task in flight, refunded failures, ambiguous answers, and the rate it keeps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pydantic import SecretStr
from tests.providers.genaipro.genaipro_fakes import RecordingJournal

from framecast.core.errors import (
    AmbiguousError,
    ErrorCategory,
    GenerationFailedError,
    RefusedError,
)
from framecast.core.http import build_http_client
from framecast.core.settings import GenAIProSettings
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.providers.genaipro.history import GenAIProHistoryProvider
from framecast.providers.genaipro.quota import GenAIProQuotaProvider
from framecast.providers.genaipro.tasks import task_ids, v2_root, wake_pollers
from framecast.providers.genaipro.v2 import GenAIProV2Generator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(
        latency=0.3,
        wire_variants=False,
        media_seconds=1.0,
        media_size=96,
        media_dir=tmp_path_factory.mktemp("media"),
    )
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> EmulatorHandle:
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def config(emulator: EmulatorHandle) -> GenAIProSettings:
    return GenAIProSettings(
        api_key=SecretStr("eyJ.test.key"),
        base_url=emulator.base_url,
        api_version=2,
        v2_poll_s=0.1,
        v2_poll_rate_per_minute=6000.0,
        read_backoff_s=0.01,
    )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    client = build_http_client()
    yield client
    await client.aclose()


@pytest.fixture
def generator(http: httpx.AsyncClient, config: GenAIProSettings) -> GenAIProV2Generator:
    return GenAIProV2Generator(http, config)


@pytest.fixture
def journal() -> RecordingJournal:
    return RecordingJournal([])


def image(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(PNG)
    return path


def test_v2_lives_beside_v1_under_the_same_api_root() -> None:
    assert v2_root(GenAIProSettings(base_url="https://genaipro.vn/api/v1")) == "https://genaipro.vn/api"
    assert (
        v2_root(GenAIProSettings(base_url="https://x/api/v1", v2_base_url="https://genaipro.io/api"))
        == "https://genaipro.io/api"
    )


def test_task_ids_come_from_histories_or_from_the_one_image_task() -> None:
    assert task_ids({"histories": [{"id": "a"}, {"id": "b"}]}) == ("a", "b")
    assert task_ids({"id": "img", "status": "processing"}) == ("img",)
    assert task_ids({"message": "accepted"}) == ()


async def test_text_to_video_is_journalled_before_sending_and_on_acceptance_then_polled(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    request = GenerationRequest(Mode.TEXT, "a red fox in snow", count=2)

    result = await generator.generate_video(request, journal)

    assert journal.log[0] == "before_submit"
    assert [len(ids) for ids in journal.accepted_ids] == [2]
    assert {item.provider_id for item in result.items} == set(journal.accepted_ids[0])
    assert all(item.url and item.url.endswith(".mp4") for item in result.items)
    assert emulator.stats()["accepted"] == 1


async def test_frames_ingredients_and_images_go_as_forms(
    tmp_path: Path, emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    start = image(tmp_path, "start.png")
    frames = GenerationRequest(Mode.FRAMES, "zoom", aspect=Aspect.PORTRAIT, start_image=start)
    ingredients = GenerationRequest(Mode.INGREDIENTS, "mix", reference_images=(start, start))
    images = GenerationRequest(Mode.IMAGE, "a poster", aspect=Aspect.SQUARE, count=3)

    results = [
        await generator.generate_video(frames, journal),
        await generator.generate_video(ingredients, journal),
        await generator.generate_image(images, journal),
    ]

    assert [len(result.items) for result in results] == [1, 1, 3]
    assert results[2].items[0].url is not None
    assert results[2].items[0].url.endswith(".png")
    assert emulator.stats()["accepted"] == 3


async def test_a_failed_task_is_a_refunded_generation_failure(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    emulator.force_faults([FaultKind.GENERATION_FAILED])

    with pytest.raises(GenerationFailedError) as caught:
        await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert caught.value.category is ErrorCategory.SERVER
    assert journal.accepted_ids  # the task was known before it failed
    assert emulator.stats()["refunded"] == 1


async def test_an_unsafe_task_fails_as_unsafe_content(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    emulator.force_faults([FaultKind.UNSAFE_GENERATION])

    with pytest.raises(GenerationFailedError) as caught:
        await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert caught.value.category is ErrorCategory.UNSAFE_CONTENT


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER_EVENTS, FaultKind.EMPTY_STREAM])
async def test_a_cut_202_or_an_empty_5xx_is_ambiguous(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal, kind: FaultKind
) -> None:
    emulator.force_faults([kind])

    with pytest.raises(AmbiguousError):
        await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert journal.log == ["before_submit"]


async def test_a_rate_limit_is_a_refusal_with_retry_after(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    emulator.force_faults([FaultKind.RATE_LIMIT_RETRY_AFTER])

    with pytest.raises(RefusedError) as caught:
        await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert caught.value.category is ErrorCategory.RATE_LIMIT
    assert caught.value.retry_after == 1.0


async def test_dropped_and_refused_polls_are_survived(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    emulator.force_faults([FaultKind.GET_DROPPED, FaultKind.GET_SERVER_ERROR])

    result = await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert len(result.items) == 1
    assert generator.poller.stats.failed_rounds == 2


async def test_a_task_that_outlasts_the_timeout_is_ambiguous(
    emulator: EmulatorHandle, http: httpx.AsyncClient, config: GenAIProSettings, journal: RecordingJournal
) -> None:
    emulator.reset(latency=0.3, slow_task_factor=1000.0)
    emulator.force_faults([FaultKind.SLOW_TASK])
    generator = GenAIProV2Generator(http, config.model_copy(update={"v2_task_timeout_s": 0.5}))

    with pytest.raises(AmbiguousError):
        await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert len(journal.accepted_ids) == 1  # the job engine reconciles these ids


async def test_twenty_tasks_in_flight_are_polled_together_not_one_by_one(
    emulator: EmulatorHandle, http: httpx.AsyncClient, config: GenAIProSettings
) -> None:
    emulator.reset(latency=1.0)
    generator = GenAIProV2Generator(http, config)
    results: list[Any] = []

    async def one(number: int) -> None:
        request = GenerationRequest(Mode.TEXT, f"shot {number}")
        results.append(await generator.generate_video(request, RecordingJournal([])))

    async with anyio.create_task_group() as group:
        for number in range(20):
            group.start_soon(one, number)

    stats = generator.poller.stats
    assert len(results) == 20
    assert stats.most_waiting > config.v2_poll_by_id_max
    # A round with more than two waiting costs one histories page, whoever is waiting.
    assert stats.most_requests_in_a_round == 1
    assert emulator.stats()["v2_polls"] == stats.requests == stats.rounds


async def test_a_few_tasks_are_read_by_id(
    emulator: EmulatorHandle, generator: GenAIProV2Generator, journal: RecordingJournal
) -> None:
    await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    stats = generator.poller.stats
    assert stats.requests == stats.rounds  # one task: one GET /v2/veo/tasks/{id} per round


async def test_a_wake_up_brings_the_next_round_forward(
    emulator: EmulatorHandle, http: httpx.AsyncClient, config: GenAIProSettings, journal: RecordingJournal
) -> None:
    # Rounds an hour apart: only a wake-up (a callback) lets the task be seen finished.
    generator = GenAIProV2Generator(http, config.model_copy(update={"v2_poll_s": 3600.0}))

    async def wake_when_done() -> None:
        while emulator.stats()["completed"] < 1:
            await anyio.sleep(0.05)
        assert wake_pollers() >= 1

    async with anyio.create_task_group() as group:
        group.start_soon(wake_when_done)
        result = await generator.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)

    assert len(result.items) == 1
    assert generator.poller.stats.rounds == 1


async def test_credits_and_history_are_read_from_v2(
    emulator: EmulatorHandle, http: httpx.AsyncClient, config: GenAIProSettings, journal: RecordingJournal
) -> None:
    await GenAIProV2Generator(http, config).generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)
    v2 = config.model_copy(update={"base_url": v2_root(config) + "/v2"})

    quota = await GenAIProQuotaProvider(http, v2, packages_only=True).read_quota()
    page = await GenAIProHistoryProvider(http, v2).list_history()

    assert quota.used == 1
    assert [item.provider_id for item in page.items] == list(journal.accepted_ids[0])
