"""``framecast users create|list|set-password|set-role``: no prompts without a terminal, exit 2 with one clear
line on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from framecast.cli.users import app
from framecast.core.errors import NotAuthenticatedError
from framecast.core.settings import get_settings
from framecast.db.accounts import ApiToken, User
from framecast.db.session import Database
from framecast.web.security.accounts import check_login
from framecast.web.security.sessions import create_api_token

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
    assert [row[:6] for row in cells] == [
        ["1", "a@example.com", "Ann", "learner", "yes", ""],
        ["2", "b@example.com", "Ben", "learner", "", ""],
    ]


def test_set_role_makes_a_teacher_and_a_learner_again_and_list_shows_it() -> None:
    runner.invoke(app, ["create", "--email", "t@example.com", "--password", PASSWORD, "--name", "Tess"])

    made = runner.invoke(app, ["set-role", "T@Example.com", "teacher"])
    listed = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    back = runner.invoke(app, ["set-role", "t@example.com", "learner"])

    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == "t@example.com is now a teacher"
    row = next(line for line in listed.stdout.splitlines() if "t@example.com" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")][3] == "teacher"
    assert back.stdout.strip() == "t@example.com is now a learner"
    db = Database.from_settings(get_settings())
    try:
        with db.session() as session:
            assert session.scalar(select(User.role).where(User.email == "t@example.com")) == "learner"
    finally:
        db.dispose()


def test_set_role_of_an_unknown_email_or_role_exits_2() -> None:
    unknown = runner.invoke(app, ["set-role", "nobody@example.com", "teacher"])
    runner.invoke(app, ["create", "--email", "t@example.com", "--password", PASSWORD, "--name", "Tess"])
    bad_role = runner.invoke(app, ["set-role", "t@example.com", "principal"])

    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == (
        "error: no account with the email nobody@example.com; `framecast users list` shows them"
    )
    assert bad_role.exit_code == 2


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


NEW_PASSWORD = "a new sturdy admin password"


def login_works(email: str, password: str) -> bool:
    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        check_login(db, settings.web, email=email, password=password, client="cli-test")
    except NotAuthenticatedError:
        return False
    finally:
        db.dispose()
    return True


def create_admin() -> int:
    result = runner.invoke(
        app, ["create", "--email", "a@example.com", "--password", PASSWORD, "--name", "Ann", "--admin"]
    )
    assert result.exit_code == 0, result.output
    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        with db.session() as session:
            user_id = session.scalar(select(User.id).where(User.email == "a@example.com"))
        assert user_id is not None
        create_api_token(db, user_id, days=1)
    finally:
        db.dispose()
    return user_id


def tokens_of(user_id: int) -> int:
    db = Database.from_settings(get_settings())
    try:
        with db.session() as session:
            return int(
                session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user_id)) or 0
            )
    finally:
        db.dispose()


def test_set_password_replaces_it_and_ends_the_accounts_tokens() -> None:
    user_id = create_admin()

    result = runner.invoke(app, ["set-password", "--email", "A@example.com", "--password", NEW_PASSWORD])

    assert result.exit_code == 0, result.output
    assert "new password set for a@example.com" in result.stdout
    assert tokens_of(user_id) == 0
    assert login_works("a@example.com", NEW_PASSWORD)
    assert not login_works("a@example.com", PASSWORD)


def test_set_password_reads_standard_input_without_a_password_option() -> None:
    create_admin()

    result = runner.invoke(app, ["set-password", "--email", "a@example.com"], input=f"{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert login_works("a@example.com", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--email", "a@example.com", "--password", "qwertyuiop"],
            "error: Password: this is one of the most common",
        ),
        (
            ["--email", "a@example.com", "--password", "a@example.com2024"],
            "error: Password: it is mostly your",
        ),
        (
            ["--email", "nobody@example.com", "--password", NEW_PASSWORD],
            "error: no account with the email nobody@",
        ),
    ],
)
def test_set_password_refuses_a_weak_password_or_an_unknown_account_with_exit_2(
    args: list[str], message: str
) -> None:
    create_admin()

    result = runner.invoke(app, ["set-password", *args])

    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert login_works("a@example.com", PASSWORD)


def test_create_refuses_a_common_password() -> None:
    result = runner.invoke(
        app, ["create", "--email", "a@example.com", "--password", "password123", "--name", "A"]
    )

    assert result.exit_code == 2
    assert "Password: this is one of the most common passwords" in result.stderr


def test_the_real_set_password_with_no_standard_input_exits_2_saying_what_to_give() -> None:
    create_admin()

    done = subprocess.run(
        [sys.executable, "-m", "framecast", "users", "set-password", "--email", "a@example.com"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )

    assert done.returncode == 2
    assert "no password given: pass --password" in done.stderr
    assert "Traceback" not in done.stderr
