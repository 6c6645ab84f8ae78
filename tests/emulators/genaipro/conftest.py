"""One emulator for the whole package, reset before every test, and a raw ``httpx`` client to it.

The tests speak HTTP with plain ``httpx`` (no client library) so that they check the wire itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from tests.emulators.genaipro.raw_wire import AUTH


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    # Small, canonical, fast; clips rendered once into a folder shared by the whole session.
    config = EmulatorConfig(
        latency=0.2,
        wire_variants=False,
        media_seconds=1.0,
        media_size=96,
        media_dir=tmp_path_factory.mktemp("emulator-media"),
    )
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> EmulatorHandle:
    emulator_server.reset()
    return emulator_server


@pytest.fixture(scope="session")
def session_client(emulator_server: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_server.base_url, headers=AUTH, timeout=10.0) as http:
        yield http


@pytest.fixture
def client(emulator: EmulatorHandle, session_client: httpx.Client) -> httpx.Client:
    """A raw client with a valid token, to an emulator just reset."""
    return session_client
