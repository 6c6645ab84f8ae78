"""Creating users and checking logins, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from framecast.core.errors import (
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    TooManyAttemptsError,
)
from framecast.core.settings import WebSettings
from framecast.db.session import Database
from framecast.web.security.accounts import NewUser, check_login, create_user, normalize_email

PASSWORD = "a good long password"
LIMITS = WebSettings(login_attempts=5)


def test_the_first_admin_can_be_created_only_once(db: Database) -> None:
    first = create_user(db, NewUser("root@example.com", "Root", PASSWORD, is_admin=True), only_if_first=True)

    assert first.is_admin
    with pytest.raises(NotFoundError, match="setup is done"):
        create_user(db, NewUser("other@example.com", "Other", PASSWORD, is_admin=True), only_if_first=True)


def test_an_email_is_unique_whatever_its_case(db: Database) -> None:
    create_user(db, NewUser("Ann@Example.com", "Ann", PASSWORD))

    with pytest.raises(InvalidInputError, match=r"Email: an account with ann@example\.com exists already"):
        create_user(db, NewUser("ann@EXAMPLE.com ", "Ann again", PASSWORD))


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "a b@example.com", "a@b@c"])
def test_a_malformed_email_is_named(email: str) -> None:
    with pytest.raises(InvalidInputError, match=r"^Email: "):
        normalize_email(email)


def test_check_login_accepts_the_right_password_only(db: Database) -> None:
    created = create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))

    assert check_login(db, LIMITS, email="ANN@example.com", password=PASSWORD, client="c").id == created.id
    with pytest.raises(NotAuthenticatedError, match="wrong email or password"):
        check_login(db, LIMITS, email="ann@example.com", password=PASSWORD + "x", client="c")
    with pytest.raises(NotAuthenticatedError, match="wrong email or password"):
        check_login(db, LIMITS, email="nobody@example.com", password=PASSWORD, client="c")


def test_check_login_stops_at_the_limit(db: Database) -> None:
    create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))
    for _ in range(LIMITS.login_attempts):
        with pytest.raises(NotAuthenticatedError):
            check_login(db, LIMITS, email="ann@example.com", password="not the password", client="c")

    with pytest.raises(TooManyAttemptsError):
        check_login(db, LIMITS, email="ann@example.com", password=PASSWORD, client="c")
