"""``make test`` sets up the browser tests' Chromium first (``scripts/ensure-chromium``).

Chromium is never uninstalled here: each test runs the script with a ``PATH`` holding only the fake
commands it needs (``id``, ``apt-get``, ``chromium``) and a fallback location that does not exist, so
that Chromium looks missing and apt-get is whatever the test says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "ensure-chromium"
BASH = shutil.which("bash") or "/bin/bash"
CHMOD = shutil.which("chmod") or "/bin/chmod"
INSTALL_COMMAND = "sudo apt-get install -y chromium"
# A bound so that a script waiting on a prompt fails the test instead of hanging the suite.
LIMIT_S = 60


@dataclass
class Machine:
    """A fake machine: ``bin`` is its whole PATH, ``fallback`` where Chromium would be."""

    bin: Path
    fallback: Path
    apt_log: Path

    def command(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!{BASH}\n{body}\n")
        path.chmod(0o755)

    def user_id(self, uid: int) -> None:
        self.command("id", f"echo {uid}")

    def apt_get(self) -> None:
        """An apt-get that logs its calls and, on ``install``, puts Chromium at the fallback."""
        self.command(
            "apt-get",
            f'echo "$DEBIAN_FRONTEND $*" >> {self.apt_log}\n'
            f'if [ "$1" = install ]; then printf "#!{BASH}\\n" > {self.fallback}; '
            f"{CHMOD} +x {self.fallback}; fi",
        )

    def apt_calls(self) -> list[str]:
        return self.apt_log.read_text().splitlines() if self.apt_log.exists() else []

    def run(self, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BASH, str(SCRIPT), str(self.fallback)],
            env={"PATH": str(self.bin), **env},
            capture_output=True,
            text=True,
            timeout=LIMIT_S,
            check=False,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return Machine(bin=bin_dir, fallback=tmp_path / "usr-bin-chromium", apt_log=tmp_path / "apt.log")


def test_without_chromium_or_apt_get_it_stops_with_the_one_command_to_run(machine: Machine) -> None:
    machine.user_id(0)

    result = machine.run()

    assert result.returncode == 1
    assert INSTALL_COMMAND in result.stderr
    assert "Chromium" in result.stderr


def test_a_user_who_is_not_root_gets_the_command_and_apt_get_is_never_called(machine: Machine) -> None:
    machine.user_id(1000)
    machine.apt_get()

    result = machine.run()

    assert result.returncode == 1
    assert INSTALL_COMMAND in result.stderr
    assert machine.apt_calls() == []


def test_as_root_with_apt_get_it_installs_debians_chromium_without_questions(machine: Machine) -> None:
    machine.user_id(0)
    machine.apt_get()

    result = machine.run()

    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == ["noninteractive update -q", "noninteractive install -y -q chromium"]
    assert machine.fallback.is_file()


def test_an_install_that_leaves_no_chromium_is_a_failure(machine: Machine) -> None:
    machine.user_id(0)
    machine.command("apt-get", "exit 0")

    result = machine.run()

    assert result.returncode == 1
    assert "neither on PATH nor at" in result.stderr


def test_a_chromium_on_path_is_enough(machine: Machine) -> None:
    machine.user_id(0)
    machine.apt_get()
    machine.command("chromium", "exit 0")

    result = machine.run()

    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == []


def test_a_wrong_framecast_test_chromium_stops_naming_the_variable(machine: Machine) -> None:
    machine.user_id(0)
    machine.apt_get()
    machine.command("chromium", "exit 0")

    result = machine.run(FRAMECAST_TEST_CHROMIUM=str(machine.fallback))

    assert result.returncode == 1
    assert f"FRAMECAST_TEST_CHROMIUM={machine.fallback} is not an executable file" in result.stderr
    # The tests would look only there, so installing a package would not help.
    assert machine.apt_calls() == []


def test_make_test_stops_before_installing_or_running_any_test(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    missing = tmp_path / "no-chromium"
    env = {**os.environ, "FRAMECAST_TEST_CHROMIUM": str(missing), "VENV": str(tmp_path / "venv")}

    result = subprocess.run(
        [make, "-C", str(ROOT), "test"], env=env, capture_output=True, text=True, timeout=LIMIT_S, check=False
    )

    assert result.returncode != 0
    assert f"FRAMECAST_TEST_CHROMIUM={missing} is not an executable file" in result.stderr
    # Neither the virtualenv was made nor pytest started.
    assert not (tmp_path / "venv").exists()
    assert "pytest" not in result.stdout
