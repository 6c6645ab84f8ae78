"""``framecast emulator genaipro``: starts a real server, prints its base URL, stops on Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import httpx
from typer.testing import CliRunner

from framecast.cli.emulator import app

LAUNCH = "from framecast.cli.main import main; main()"


def test_the_command_prints_a_working_base_url_and_stops_on_interrupt() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "emulator",
            "genaipro",
            "--port",
            "0",
            "--latency",
            "0",
            "--quota",
            "7",
        ],
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
        base_url = first_line[0].strip().rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/v1")

        me = httpx.get(base_url + "/veo/me", headers={"Authorization": "Bearer t"}, timeout=10)

        assert me.json() == {"total_quota": 7, "used_quota": 0, "available_quota": 7}
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode in (0, 130), stderr  # 130: the CLI's code for a Ctrl+C stop
    assert "Traceback" not in stderr


def test_an_out_of_range_option_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["genaipro", "--fault-rate", "2"])

    assert result.exit_code == 2
    assert "fault_rate must be between 0 and 1" in result.output
