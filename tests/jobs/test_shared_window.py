"""GenAIPro v2's request window shared by every worker through the database (``jobs/shared_window.py``):
provider instances on separate engines, as separate worker processes are, never send the account
more than its budget in any window, and the emulator never refuses one of them for rate."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from pydantic import SecretStr

from framecast.core.settings import GenAIProSettings, Settings
from framecast.db.session import Database
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.jobs.shared_window import SharedWindow, SharedWindows
from framecast.providers import registry
from framecast.providers.base import GenerationRequest, Mode
from framecast.providers.registry import BuildContext
from framecast.providers.sliding_windows import LocalWindows, SlidingWindows
from tests.providers.genaipro.genaipro_fakes import RecordingJournal

# A short window keeps the test fast: 6 requests in any 2 s, as the emulator counts them too.
BUDGET = 6
WINDOW_S = 2.0
WORKERS = 3
VIDEOS_PER_WORKER = 3


class SendTimes(httpx.AsyncBaseTransport):
    """The real network, with the time each v2 request was sent (for any window's count)."""

    def __init__(self, sent: list[float]) -> None:
        self._sent = sent
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/v2/" in request.url.path:
            self._sent.append(anyio.current_time())
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def most_in_any_window(times: list[float], window_s: float) -> int:
    ordered = sorted(times)
    return max(
        (sum(1 for t in ordered[i:] if t < start + window_s) for i, start in enumerate(ordered)), default=0
    )


@pytest.fixture(scope="module")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(
        latency=0.2,
        wire_variants=False,
        media_seconds=1.0,
        media_size=96,
        media_dir=tmp_path_factory.mktemp("media"),
        v2_rate_per_minute=BUDGET,
        v2_window_s=WINDOW_S,
    )
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> EmulatorHandle:
    emulator_server.reset()
    return emulator_server


def v2_settings(settings: Settings, emulator: EmulatorHandle) -> Settings:
    genaipro = GenAIProSettings(
        api_key=SecretStr("eyJ.shared.key"),
        base_url=emulator.base_url,
        api_version=2,
        v2_rate_per_minute=BUDGET,
        v2_window_s=WINDOW_S,
        v2_poll_s=0.1,
        v2_poll_rate_per_minute=6000.0,
        read_backoff_s=0.01,
    )
    return settings.model_copy(update={"genaipro": genaipro})


async def run_workers(
    settings: Settings, tmp_path: Path, windows: list[SlidingWindows], sent: list[float]
) -> list[object]:
    """One GenAIPro v2 instance per entry of ``windows``, built by the registry as a worker builds
    it, each generating its videos at once; what each generation returned or raised."""
    bundles = [
        registry.build(
            "genaipro",
            BuildContext(settings=settings, work_dir=tmp_path, transport=SendTimes(sent), windows=chosen),
        )
        for chosen in windows
    ]
    try:
        calls = [
            bundle.video.generate_video(GenerationRequest(Mode.TEXT, f"a fox {n}"), RecordingJournal([]))
            for bundle in bundles
            if bundle.video is not None
            for n in range(VIDEOS_PER_WORKER)
        ]
        return list(await asyncio.gather(*calls, return_exceptions=True))
    finally:
        for bundle in bundles:
            await bundle.aclose()


@pytest.mark.postgres
async def test_workers_on_separate_engines_keep_one_budget_and_are_never_refused_for_rate(
    postgres_url: str, settings: Settings, emulator: EmulatorHandle, tmp_path: Path
) -> None:
    engines = [Database(postgres_url) for _ in range(WORKERS)]  # one per worker process
    sent: list[float] = []
    try:
        results = await run_workers(
            v2_settings(settings, emulator), tmp_path, [SharedWindows(db) for db in engines], sent
        )
    finally:
        for db in engines:
            db.dispose()

    stats = emulator.stats()
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert stats["refused_by"]["rate"] == 0
    assert stats["v2_rate_limited"] == 0
    assert stats["v2_requests"] > BUDGET  # more than one window's worth was sent
    assert most_in_any_window(sent, WINDOW_S) <= BUDGET


@pytest.mark.postgres
async def test_without_the_shared_window_the_same_workers_are_refused_for_rate(
    settings: Settings, emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The test above would pass for nothing if its load stayed inside one process's budget."""
    windows: list[SlidingWindows] = [LocalWindows() for _ in range(WORKERS)]

    await run_workers(v2_settings(settings, emulator), tmp_path, windows, [])

    assert emulator.stats()["refused_by"]["rate"] > 0


async def test_two_windows_of_one_account_share_its_places_on_either_database(db: Database) -> None:
    first, second = (SharedWindow(db, "demo", 3, 0.4) for _ in range(2))
    sent: list[float] = []

    async def request(window: SharedWindow) -> None:
        async with window.place():
            sent.append(anyio.current_time())

    async with anyio.create_task_group() as group:
        for n in range(8):
            group.start_soon(request, (first, second)[n % 2])

    assert len(sent) == 8
    assert most_in_any_window(sent, 0.4) <= 3


async def test_a_submission_leaves_the_reserved_places_to_polls(db: Database) -> None:
    window = SharedWindow(db, "demo", 3, 30.0)
    other_worker = SharedWindow(db, "demo", 3, 30.0)
    async with window.place(reserve=1):
        pass  # one place taken by a submission

    async with window.place(reserve=1):  # a second submission: the last free place is the reserve
        with anyio.move_on_after(0.3) as third_submission:
            async with other_worker.place(reserve=1):
                pass
        with anyio.fail_after(2):
            async with other_worker.place():  # a poll may take the reserved place
                pass

    assert third_submission.cancelled_caught
