"""Fixtures for the Google Veo provider tests: the real SDK against a running emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from framecast.core.http import build_http_client
from framecast.core.settings import GoogleSettings
from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.google_veo.testing import EmulatorHandle, running_emulator
from framecast.providers.base import Progress
from framecast.providers.google_veo.client import GoogleClient
from framecast.providers.google_veo.history import GoogleVeoHistoryProvider
from framecast.providers.google_veo.image import GoogleVeoImageProvider
from framecast.providers.google_veo.operations import OperationReader
from framecast.providers.google_veo.video import GoogleVeoVideoProvider

API_KEY = "test-key"


@dataclass
class RecordingJournal:
    """Records what the provider told the journal, in order."""

    log: list[str] = field(default_factory=list)
    provider_ids: tuple[str, ...] = ()

    async def before_submit(self) -> None:
        self.log.append("before_submit")

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        self.provider_ids = provider_ids
        self.log.append("accepted")

    async def progress(self, progress: Progress) -> None:
        if not self.log or self.log[-1] != "poll":
            self.log.append("poll")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    media = tmp_path_factory.mktemp("google-media")
    with running_emulator(
        EmulatorConfig(latency=0.3, api_key=API_KEY, media_seconds=1.0, media_size=64, media_dir=media)
    ) as handle:
        yield handle


@pytest.fixture
def google(emulator: EmulatorHandle) -> EmulatorHandle:
    emulator.reset()
    return emulator


@pytest.fixture
def config(google: EmulatorHandle) -> GoogleSettings:
    return GoogleSettings(api_key=SecretStr(API_KEY), base_url=google.base_url, poll_s=0.05, poll_attempts=3)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    client = build_http_client()
    yield client
    await client.aclose()


@dataclass
class Providers:
    video: GoogleVeoVideoProvider
    image: GoogleVeoImageProvider
    history: GoogleVeoHistoryProvider
    work: Path


@pytest.fixture
def providers(config: GoogleSettings, http: httpx.AsyncClient, tmp_path: Path) -> Providers:
    client = GoogleClient(config, http)
    work = tmp_path / "work"
    reader = OperationReader(client, work, max_bytes=10**9)
    return Providers(
        video=GoogleVeoVideoProvider(client, reader),
        image=GoogleVeoImageProvider(client, work, max_bytes=10**9),
        history=GoogleVeoHistoryProvider(reader),
        work=work,
    )


@pytest.fixture
def journal() -> RecordingJournal:
    return RecordingJournal()
