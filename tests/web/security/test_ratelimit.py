"""Slowing down password guessing per (email, address) pair and per address; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from framecast.core.errors import TooManyAttemptsError
from framecast.core.settings import WebSettings
from framecast.db.accounts import LoginAttempt
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.web.security.ratelimit import (
    attempt_succeeded,
    begin_attempt,
    begin_signup,
    client_key,
    delay_after,
    forget_signup,
)

LIMITS = WebSettings(login_attempts=3, login_attempts_per_address=6, login_window_s=600, login_delay_s=10)


def fail(db: Database, email: str, client: str, at: datetime | None = None) -> None:
    begin_attempt(db, LIMITS, email=email, client=client, now=at or utcnow())


def wait_of(db: Database, email: str, client: str, at: datetime) -> float:
    with pytest.raises(TooManyAttemptsError) as caught:
        begin_attempt(db, LIMITS, email=email, client=client, now=at)
    return caught.value.retry_after


def tries(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count(LoginAttempt.id))) or 0)


def test_tries_below_the_pair_limit_are_allowed(db: Database) -> None:
    fail(db, "a@example.com", "10.0.0.1")
    fail(db, "a@example.com", "10.0.0.1")

    begin_attempt(db, LIMITS, email="a@example.com", client="10.0.0.1")


def test_past_the_pair_limit_a_try_waits_the_delay_after_the_latest_failure(db: Database) -> None:
    now = utcnow()
    for seconds_ago in (30, 20, 4):
        fail(db, "a@example.com", "10.0.0.1", now - timedelta(seconds=seconds_ago))

    assert wait_of(db, "A@Example.com ", "10.0.0.1", now) == pytest.approx(6)


def test_the_wait_doubles_with_every_failure_past_the_limit(db: Database) -> None:
    start = utcnow() - timedelta(seconds=300)
    waits = []
    for number in range(3):
        fail(db, "a@example.com", "10.0.0.1", start + timedelta(seconds=number))
    at = start + timedelta(seconds=2)
    for _ in range(3):
        wait = wait_of(db, "a@example.com", "10.0.0.1", at)
        waits.append(round(wait))
        at += timedelta(seconds=wait, microseconds=1)
        fail(db, "a@example.com", "10.0.0.1", at)

    assert waits == [10, 20, 40]


def test_the_wait_is_never_longer_than_the_window() -> None:
    assert delay_after(LIMITS, failures=2, allowed=3) == 0
    assert delay_after(LIMITS, failures=3, allowed=3) == 10
    assert delay_after(LIMITS, failures=5, allowed=3) == 40
    assert delay_after(LIMITS, failures=500, allowed=3) == 600


def test_once_the_wait_is_over_the_next_try_is_allowed(db: Database) -> None:
    now = utcnow() - timedelta(seconds=60)
    for _ in range(3):
        fail(db, "a@example.com", "10.0.0.1", now)

    begin_attempt(db, LIMITS, email="a@example.com", client="10.0.0.1", now=now + timedelta(seconds=10))


def test_failures_of_an_email_from_other_addresses_do_not_slow_this_address(db: Database) -> None:
    for client in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for _ in range(3):
            fail(db, "a@example.com", client)

    begin_attempt(db, LIMITS, email="a@example.com", client="10.0.0.9")
    with pytest.raises(TooManyAttemptsError, match="too many failed logins"):
        begin_attempt(db, LIMITS, email="a@example.com", client="10.0.0.1")


def test_the_looser_limit_per_address_covers_every_email_it_tries(db: Database) -> None:
    for number in range(6):
        fail(db, f"user{number}@example.com", "10.0.0.1")

    with pytest.raises(TooManyAttemptsError):
        begin_attempt(db, LIMITS, email="fresh@example.com", client="10.0.0.1")
    begin_attempt(db, LIMITS, email="fresh@example.com", client="10.0.0.2")


def test_failures_older_than_the_window_do_not_count(db: Database) -> None:
    for _ in range(3):
        fail(db, "a@example.com", "c", utcnow() - timedelta(seconds=601))

    begin_attempt(db, LIMITS, email="a@example.com", client="c")


def test_a_refused_try_is_not_counted(db: Database) -> None:
    for _ in range(3):
        fail(db, "a@example.com", "c")

    for _ in range(5):
        with pytest.raises(TooManyAttemptsError):
            begin_attempt(db, LIMITS, email="a@example.com", client="c")

    assert tries(db) == 3


def test_a_success_forgets_that_pairs_failures_only(db: Database) -> None:
    fail(db, "a@example.com", "10.0.0.1")
    fail(db, "a@example.com", "10.0.0.2")
    fail(db, "b@example.com", "10.0.0.1")

    attempt_succeeded(db, begin_attempt(db, LIMITS, email="a@example.com", client="10.0.0.1"))

    with db.session() as session:
        left = sorted(tuple(row) for row in session.execute(select(LoginAttempt.email, LoginAttempt.client)))
    assert left == [("a@example.com", "10.0.0.2"), ("b@example.com", "10.0.0.1")]


@pytest.mark.parametrize(
    ("client", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),
        ("", "unknown"),
    ],
)
def test_an_ipv6_address_counts_by_its_64_network(client: str, key: str) -> None:
    assert client_key(client) == key


def test_concurrent_tries_never_get_past_the_limit(db: Database) -> None:
    limits = WebSettings(login_attempts=10, login_window_s=600, login_delay_s=600)
    allowed: list[int] = []
    refused: list[float] = []
    start = threading.Barrier(40)

    def guess() -> None:
        start.wait()
        try:
            allowed.append(begin_attempt(db, limits, email="a@example.com", client="10.0.0.1").id)
        except TooManyAttemptsError as exc:
            refused.append(exc.retry_after)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(allowed), len(refused)) == (10, 30)
    assert tries(db) == 10


SIGNUPS = WebSettings(signup_per_hour=2)


def test_sign_ups_are_limited_per_address_for_an_hour_after_the_oldest(db: Database) -> None:
    start = utcnow()
    begin_signup(db, SIGNUPS, client="10.0.0.1", now=start)
    begin_signup(db, SIGNUPS, client="10.0.0.1", now=start + timedelta(minutes=10))

    with pytest.raises(TooManyAttemptsError, match="too many sign-ups from your address") as caught:
        begin_signup(db, SIGNUPS, client="10.0.0.1", now=start + timedelta(minutes=20))
    assert caught.value.retry_after == pytest.approx(40 * 60)
    begin_signup(db, SIGNUPS, client="10.0.0.2", now=start + timedelta(minutes=20))
    # The oldest is an hour old: one more fits, the next does not.
    begin_signup(db, SIGNUPS, client="10.0.0.1", now=start + timedelta(minutes=61))
    with pytest.raises(TooManyAttemptsError):
        begin_signup(db, SIGNUPS, client="10.0.0.1", now=start + timedelta(minutes=62))


def test_a_forgotten_sign_up_does_not_count(db: Database) -> None:
    now = utcnow()
    first = begin_signup(db, SIGNUPS, client="10.0.0.1", now=now)
    begin_signup(db, SIGNUPS, client="10.0.0.1", now=now)
    forget_signup(db, first)

    begin_signup(db, SIGNUPS, client="10.0.0.1", now=now)
    with pytest.raises(TooManyAttemptsError):
        begin_signup(db, SIGNUPS, client="10.0.0.1", now=now)
