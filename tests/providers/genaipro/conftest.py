"""Fixtures for the GenAIPro provider tests: the fake at the transport, its client and a journal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from tests.providers.genaipro.genaipro_fakes import API_KEY, BASE_URL, FakeGenAIPro, RecordingJournal

from framecast.core.http import build_http_client
from framecast.core.settings import GenAIProSettings


@pytest.fixture
def fake() -> FakeGenAIPro:
    return FakeGenAIPro()


@pytest.fixture
def journal(fake: FakeGenAIPro) -> RecordingJournal:
    return RecordingJournal(fake.log)


@pytest.fixture
def config() -> GenAIProSettings:
    return GenAIProSettings(
        api_key=SecretStr(API_KEY), base_url=BASE_URL, idle_timeout_s=7.0, read_backoff_s=0.01
    )


@pytest.fixture
async def http(fake: FakeGenAIPro) -> AsyncIterator[httpx.AsyncClient]:
    client = build_http_client(transport=httpx.MockTransport(fake))
    yield client
    await client.aclose()
