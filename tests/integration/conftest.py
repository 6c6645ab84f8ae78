"""Integration fixtures: a real emulator on localhost and the settings that point Framecast at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Registers the job kind the workers of these tests run, whichever test module is run alone.
import framecast.studio.generation_kind
from framecast.core.settings import get_settings
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator

API_KEY = "test-key"
# Faults the engine recovers from with the result on disk on API v1: every kind except the
# generations the provider accepts and then fails (those end failed and charged; never sent again).
RECOVERABLE_KINDS = [kind for kind in FaultKind if kind.failure is None and kind.applies_to(1)]
FAILING_KINDS = [kind for kind in FaultKind if kind.failure is not None]
# On v2 a failed task is refunded and sent again, so only the unsafe ones (never resent) end failed.
V2_RECOVERABLE_KINDS = [
    kind
    for kind in FaultKind
    if kind.applies_to(2) and kind not in (FaultKind.UNSAFE_GENERATION, FaultKind.AUDIO_FILTERED)
]


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One render cache for every emulator in the session (each clip is rendered once)."""
    return tmp_path_factory.mktemp("emulator-media")


@pytest.fixture
def emulator(media_cache: Path) -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(
        latency=0.3, api_key=API_KEY, seed=7, media_seconds=1.0, media_size=96, media_dir=media_cache
    )
    with running_emulator(config) as handle:
        yield handle


def genaipro_env(emulator: EmulatorHandle) -> dict[str, str]:
    """Settings (as variables) that make Framecast use the emulator with short timeouts."""
    return {
        "FRAMECAST_GENAIPRO__BASE_URL": emulator.base_url,
        "FRAMECAST_GENAIPRO__API_KEY": API_KEY,
        "FRAMECAST_GENAIPRO__IDLE_TIMEOUT_S": "1.5",
        "FRAMECAST_GENAIPRO__RECONCILE_POLL_S": "0.2",
        "FRAMECAST_GENAIPRO__RECONCILE_GRACE_S": "2",
        "FRAMECAST_JOBS__POLL_S": "0.05",
        "FRAMECAST_JOBS__BACKOFF_BASE_S": "0.1",
        "FRAMECAST_JOBS__BACKOFF_MAX_S": "0.5",
        "FRAMECAST_JOBS__LEASE_S": "10",
        "FRAMECAST_OFFLINE__SECONDS": "1",
        "FRAMECAST_OFFLINE__SHORT_SIDE": "144",
    }


@pytest.fixture
def use_emulator(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    for name, value in genaipro_env(emulator).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return emulator


def framecast(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real ``framecast`` command in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "framecast", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def write_frame(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (320, 180), (200, 90, 40)).save(path)
    return path


def is_mp4(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[4:8] == b"ftyp"
