"""``framecast users create|list``: no prompts, exit 2 with one clear line on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from framecast.cli.users import app
from framecast.core.settings import get_settings
from framecast.db.session import Database
from framecast.web.security.accounts import check_login

PASSWORD = "a sturdy admin password"
runner = CliRunner()


def test_create_makes_an_admin_who_can_log_in() -> None:
    result = runner.invoke(
        app, ["create", "--email", "Admin@Example.com", "--password", PASSWORD, "--name", "Admin", "--admin"]
    )

    assert result.exit_code == 0, result.output
    assert "created administrator admin@example.com (id 1)" in result.stdout
    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        user = check_login(db, settings.web, email="admin@example.com", password=PASSWORD, client="cli-test")
    finally:
        db.dispose()
    assert user.is_admin
    assert user.name == "Admin"


def test_list_shows_the_accounts() -> None:
    runner.invoke(
        app, ["create", "--email", "a@example.com", "--password", PASSWORD, "--name", "Ann", "--admin"]
    )
    runner.invoke(app, ["create", "--email", "b@example.com", "--password", PASSWORD, "--name", "Ben"])

    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "@example.com" in line]
    assert len(lines) == 2
    cells = [[cell.strip() for cell in line.strip("│ ").split("│")] for line in lines]
    assert [row[:5] for row in cells] == [
        ["1", "a@example.com", "Ann", "yes", ""],
        ["2", "b@example.com", "Ben", "", ""],
    ]


def test_list_with_no_users_says_how_to_make_one() -> None:
    result = runner.invoke(app, ["list"])

    assert result.exit_code == 0
    assert "framecast users create --admin" in result.stdout


def test_a_duplicate_email_exits_2_naming_it() -> None:
    first = runner.invoke(app, ["create", "--email", "a@example.com", "--password", PASSWORD, "--name", "A"])
    again = runner.invoke(app, ["create", "--email", "A@EXAMPLE.com", "--password", PASSWORD, "--name", "A"])

    assert first.exit_code == 0
    assert again.exit_code == 2
    assert again.stderr.strip() == "error: Email: an account with a@example.com exists already"


def test_a_weak_password_exits_2_with_the_rule() -> None:
    result = runner.invoke(app, ["create", "--email", "a@example.com", "--password", "short", "--name", "A"])

    assert result.exit_code == 2
    assert "Password: use at least 10 characters" in result.stderr
    assert runner.invoke(app, ["list"]).stdout.startswith("no users yet")


def test_a_missing_option_is_a_usage_error_not_a_prompt() -> None:
    result = runner.invoke(app, ["create", "--email", "a@example.com", "--name", "A"])

    assert result.exit_code == 2
    assert "--password" in result.stderr


def test_the_real_command_works_with_no_standard_input() -> None:
    command = [sys.executable, "-m", "framecast", "users", "create", "--admin"]
    args = ["--email", "root@example.com", "--password", PASSWORD, "--name", "Root"]

    done = subprocess.run(
        [*command, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )
    duplicate = subprocess.run(
        [*command, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )

    assert done.returncode == 0, done.stderr
    assert "created administrator root@example.com" in done.stdout
    assert duplicate.returncode == 2
    assert "exists already" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr
