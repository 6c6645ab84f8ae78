"""Running under uvicorn: shutdown does not wait for open streams, and says nothing when it cuts them."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.server import base_url
from framecast.emulators.genaipro.testing import running_emulator
from tests.emulators.genaipro.raw_wire import AUTH, TEXT_TO_VIDEO, read_raw


def test_shutdown_cuts_stalled_and_running_streams_without_logging_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with httpx.Client(headers=AUTH, timeout=10.0) as client, ExitStack() as streams:
        with running_emulator(EmulatorConfig(latency=60.0, media_dir=tmp_path)) as emulator:
            emulator.force_faults([FaultKind.STALL])
            url = emulator.base_url + "/veo/text-to-video"
            stalled = streams.enter_context(client.stream("POST", url, json=TEXT_TO_VIDEO))
            running = streams.enter_context(client.stream("POST", url, json=TEXT_TO_VIDEO))
            assert (stalled.status_code, running.status_code) == (200, 200)

        _, stalled_error = read_raw(stalled)
        _, running_error = read_raw(running)

    assert isinstance(stalled_error, httpx.RemoteProtocolError)
    assert isinstance(running_error, httpx.RemoteProtocolError)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_deliberate_drop_is_not_logged_as_an_application_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with running_emulator(EmulatorConfig(latency=0.0, media_dir=tmp_path)) as emulator:
        emulator.force_faults([FaultKind.DROP_AFTER_EVENTS])
        with httpx.stream(
            "POST", emulator.base_url + "/veo/text-to-video", json=TEXT_TO_VIDEO, headers=AUTH
        ) as r:
            _, error = read_raw(r)

    assert isinstance(error, httpx.RemoteProtocolError)
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


def test_the_base_url_ends_in_api_v1_and_brackets_ipv6_hosts() -> None:
    assert base_url("127.0.0.1", 8787) == "http://127.0.0.1:8787/api/v1"
    assert base_url("::1", 8787) == "http://[::1]:8787/api/v1"
