"""Creating users and checking logins, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from framecast.core.errors import (
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    TooManyAttemptsError,
)
from framecast.core.settings import WebSettings
from framecast.db.accounts import ApiToken, WebSession
from framecast.db.session import Database
from framecast.web.security.accounts import (
    NewUser,
    PasswordChange,
    change_password,
    check_login,
    create_user,
    normalize_email,
    set_password,
)
from framecast.web.security.sessions import create_api_token, create_web_session

PASSWORD = "a good long password"
LIMITS = WebSettings(login_attempts=5, login_delay_s=600)


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


def test_wrong_passwords_from_other_addresses_never_stop_the_right_one(db: Database) -> None:
    create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))
    for number in range(4 * LIMITS.login_attempts):
        with pytest.raises((NotAuthenticatedError, TooManyAttemptsError)):
            check_login(
                db, LIMITS, email="ann@example.com", password="a guess", client=f"198.51.100.{number % 4}"
            )

    assert check_login(db, LIMITS, email="ann@example.com", password=PASSWORD, client="203.0.113.5")


def test_concurrent_wrong_guesses_never_get_past_the_limit(db: Database) -> None:
    create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))
    limits = WebSettings(login_attempts=10, login_delay_s=600)
    outcomes: list[str] = []
    start = threading.Barrier(40)

    def guess(number: int) -> None:
        start.wait()
        try:
            check_login(db, limits, email="ann@example.com", password=f"guess {number}", client="10.0.0.1")
        except NotAuthenticatedError:
            outcomes.append("checked")
        except TooManyAttemptsError:
            outcomes.append("refused")

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("checked") == 10
    assert outcomes.count("refused") == 30


@pytest.mark.parametrize("bad", ["ann\x00@example.com", "ann\ud800@example.com"])
def test_a_login_email_that_is_not_text_is_refused_naming_it_before_any_query(db: Database, bad: str) -> None:
    with pytest.raises(InvalidInputError, match=r"^Email: contains ") as caught:
        check_login(db, LIMITS, email=bad, password=PASSWORD, client="c")

    assert caught.value.field == "email"


def test_a_login_password_that_is_not_text_is_refused_naming_it(db: Database) -> None:
    create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))

    with pytest.raises(InvalidInputError, match=r"^Password: contains a NUL"):
        check_login(db, LIMITS, email="ann@example.com", password=PASSWORD + "\x00", client="c")


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewUser("ann\x00@example.com", "Ann", PASSWORD), "email"),
        (NewUser("ann@example.com", "An\x00n", PASSWORD), "name"),
        (NewUser("ann@example.com", "Ann \udfff", PASSWORD), "name"),
        (NewUser("ann@example.com", "Ann", PASSWORD + "\x00"), "password"),
    ],
)
def test_an_account_field_that_is_not_text_never_reaches_the_database(
    db: Database, new: NewUser, field: str
) -> None:
    with pytest.raises(InvalidInputError, match="contains") as caught:
        create_user(db, new)

    assert caught.value.field == field


def test_a_new_account_may_not_use_a_common_password(db: Database) -> None:
    with pytest.raises(InvalidInputError, match=r"^Password: this is one of the most common"):
        create_user(db, NewUser("ann@example.com", "Ann", "password123"))


# -- changing and setting passwords -----------------------------------------------------------------

NEW_PASSWORD = "a fresh sturdy password"


def sessions_and_tokens(db: Database, user_id: int) -> tuple[int, int]:
    with db.session() as session:
        sessions = session.scalar(select(func.count(WebSession.id)).where(WebSession.user_id == user_id))
        tokens = session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user_id))
    return int(sessions or 0), int(tokens or 0)


def test_a_password_change_needs_the_current_one_and_keeps_only_this_session(db: Database) -> None:
    ann = create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))
    here, _ = create_web_session(db, ann.id, days=1)
    create_web_session(db, ann.id, days=1)
    create_api_token(db, ann.id, days=1)

    revoked = change_password(
        db,
        LIMITS,
        ann.id,
        PasswordChange(PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
        client="c",
        keep_session=here,
    )

    assert (revoked.sessions, revoked.tokens) == (1, 1)
    assert sessions_and_tokens(db, ann.id) == (1, 0)
    assert check_login(db, LIMITS, email="ann@example.com", password=NEW_PASSWORD, client="c").id == ann.id
    with pytest.raises(NotAuthenticatedError):
        check_login(db, LIMITS, email="ann@example.com", password=PASSWORD, client="c")


def test_a_wrong_current_password_is_named_and_counted_like_a_failed_login(db: Database) -> None:
    ann = create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))
    change = PasswordChange("not my password", NEW_PASSWORD, NEW_PASSWORD)
    for _ in range(LIMITS.login_attempts):
        with pytest.raises(InvalidInputError, match=r"^Current password: this is not your current password"):
            change_password(db, LIMITS, ann.id, change, client="c")

    with pytest.raises(TooManyAttemptsError, match="too many wrong passwords"):
        change_password(db, LIMITS, ann.id, PasswordChange(PASSWORD, NEW_PASSWORD, NEW_PASSWORD), client="c")


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("qwertyuiop", "qwertyuiop", "^New password: this is one of the most common"),
        ("annann@example.com", "annann@example.com", "^New password: it is mostly your email address"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "^New password again: the two passwords differ"),
        (PASSWORD, PASSWORD, "^New password: this is your current password"),
    ],
)
def test_a_bad_new_password_is_named_and_nothing_changes(
    db: Database, new: str, confirm: str, message: str
) -> None:
    ann = create_user(db, NewUser("annann@example.com", "Ann", PASSWORD))
    create_api_token(db, ann.id, days=1)

    with pytest.raises(InvalidInputError, match=message):
        change_password(db, LIMITS, ann.id, PasswordChange(PASSWORD, new, confirm), client="c")

    assert sessions_and_tokens(db, ann.id) == (0, 1)
    assert check_login(db, LIMITS, email="annann@example.com", password=PASSWORD, client="c")


def test_setting_a_password_from_the_shell_ends_every_session_and_token(db: Database) -> None:
    ann = create_user(db, NewUser("ann@example.com", "Ann", PASSWORD))
    create_web_session(db, ann.id, days=1)
    create_api_token(db, ann.id, days=1)

    set_password(db, " ANN@example.com", NEW_PASSWORD)

    assert sessions_and_tokens(db, ann.id) == (0, 0)
    assert check_login(db, LIMITS, email="ann@example.com", password=NEW_PASSWORD, client="c")


def test_setting_a_password_of_an_unknown_email_says_so(db: Database) -> None:
    with pytest.raises(NotFoundError, match=r"no account with the email nobody@example\.com"):
        set_password(db, "nobody@example.com", NEW_PASSWORD)
