"""``framecast emulator genaipro``: starts a real server, prints its base URL, stops on Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from typer.testing import CliRunner

from framecast.cli.emulator import app

LAUNCH = "from framecast.cli.main import main; main()"
AUTH = {"Authorization": "Bearer t"}


@contextmanager
def emulator_process(*options: str) -> Iterator[str]:
    """Run ``framecast emulator genaipro --port 0 OPTIONS``, yield its base URL, stop it with Ctrl+C."""
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "emulator", "genaipro", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout = process.stdout
        assert stdout is not None
        first_line: list[str] = []
        reader = threading.Thread(target=lambda: first_line.append(stdout.readline()))
        reader.start()
        reader.join(60)
        assert first_line, "the emulator printed nothing"
        yield first_line[0].strip().rsplit(" ", 1)[-1]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode in (0, 130), stderr  # 130: the CLI's code for a Ctrl+C stop
    assert "Traceback" not in stderr


def test_the_command_prints_a_working_base_url_and_stops_on_interrupt() -> None:
    with emulator_process("--latency", "0", "--quota", "7") as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/v1")

        me = httpx.get(base_url + "/veo/me", headers=AUTH, timeout=10)

        assert me.json() == {"total_quota": 7, "used_quota": 0, "available_quota": 7}


def test_fault_kinds_and_files_need_auth_reach_the_running_emulator() -> None:
    options = ("--fault-rate", "1", "--fault-kinds", "get_rate_limit, server_error", "--files-need-auth")
    with emulator_process(*options) as base_url:
        root = base_url.removesuffix("/api/v1")

        faults = httpx.get(root + "/_emulator/faults", timeout=10).json()
        me = httpx.get(base_url + "/veo/me", headers=AUTH, timeout=10)
        blob = root + "/files/blob-64.mp4"

        assert faults["fault_kinds"] == ["server_error", "get_rate_limit"]
        assert (me.status_code, me.headers["retry-after"]) == (429, "1")
        assert httpx.get(blob, timeout=10).status_code == 401
        assert httpx.get(blob, headers=AUTH, timeout=10).status_code == 200


def test_an_out_of_range_option_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["genaipro", "--fault-rate", "2"])

    assert result.exit_code == 2
    assert "fault_rate must be between 0 and 1" in result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("stall,gremlins", "unknown fault kind 'gremlins'; known: drop_after_events, empty_stream"),
        (" , ", "fault_kinds must name at least one kind"),
    ],
)
def test_bad_fault_kinds_are_a_clear_error(value: str, message: str) -> None:
    result = CliRunner().invoke(app, ["genaipro", "--fault-kinds", value])

    assert result.exit_code == 2
    assert message in result.output


def test_the_help_shows_the_fault_and_download_options() -> None:
    result = CliRunner().invoke(app, ["genaipro", "--help"], terminal_width=200)

    assert result.exit_code == 0
    assert "--fault-kinds" in result.output
    assert "--files-need-auth" in result.output
    assert "get_maintenance_html" in result.output
