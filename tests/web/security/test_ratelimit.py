"""Failed-login limits per email and per client address, in a sliding window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from framecast.core.errors import TooManyAttemptsError
from framecast.core.settings import WebSettings
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.web.security.ratelimit import (
    check_login_allowed,
    clear_failed_logins,
    record_failed_login,
)

LIMITS = WebSettings(login_attempts=3, login_window_s=600)


def fail(db: Database, email: str, client: str, seconds_ago: float = 0) -> None:
    record_failed_login(db, LIMITS, email=email, client=client, now=utcnow() - timedelta(seconds=seconds_ago))


def test_logins_are_allowed_below_the_limit(db: Database) -> None:
    fail(db, "a@example.com", "10.0.0.1")
    fail(db, "a@example.com", "10.0.0.1")

    check_login_allowed(db, LIMITS, email="a@example.com", client="10.0.0.1")


def test_the_limit_per_email_holds_from_any_address(db: Database) -> None:
    for client in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        fail(db, "a@example.com", client)

    with pytest.raises(TooManyAttemptsError, match="too many failed logins"):
        check_login_allowed(db, LIMITS, email="A@Example.com ", client="10.0.0.9")
    check_login_allowed(db, LIMITS, email="other@example.com", client="10.0.0.9")


def test_the_limit_per_address_holds_for_any_email(db: Database) -> None:
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        fail(db, email, "10.0.0.1")

    with pytest.raises(TooManyAttemptsError):
        check_login_allowed(db, LIMITS, email="d@example.com", client="10.0.0.1")
    check_login_allowed(db, LIMITS, email="d@example.com", client="10.0.0.2")


def test_retry_after_is_when_the_oldest_counted_failure_leaves_the_window(db: Database) -> None:
    now = utcnow()
    for seconds_ago in (500, 200, 100):
        record_failed_login(
            db, LIMITS, email="a@example.com", client="c", now=now - timedelta(seconds=seconds_ago)
        )

    with pytest.raises(TooManyAttemptsError) as caught:
        check_login_allowed(db, LIMITS, email="a@example.com", client="c", now=now)

    assert caught.value.retry_after == pytest.approx(100)


def test_failures_older_than_the_window_do_not_count(db: Database) -> None:
    for _ in range(3):
        fail(db, "a@example.com", "c", seconds_ago=601)

    check_login_allowed(db, LIMITS, email="a@example.com", client="c")


def test_clearing_forgets_that_emails_failures_only(db: Database) -> None:
    for email in ("a@example.com", "a@example.com", "a@example.com", "b@example.com"):
        fail(db, email, "10.0.0.1")

    clear_failed_logins(db, "a@example.com")

    check_login_allowed(db, LIMITS, email="a@example.com", client="10.0.0.1")
    fail(db, "b@example.com", "10.0.0.1")
    fail(db, "c@example.com", "10.0.0.1")
    with pytest.raises(TooManyAttemptsError):
        check_login_allowed(db, LIMITS, email="a@example.com", client="10.0.0.1")
