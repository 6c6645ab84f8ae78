"""Slowing down password guessing (logins and password changes) without locking anyone out.

The practice of django-axes (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``) and of
OWASP's authentication cheat sheet: failures are counted within ``web.login_window_s``

- per (email, client address) pair: at most ``web.login_attempts`` before slowing down;
- per client address, whatever email it tries: at most ``web.login_attempts_per_address`` (looser).

There is deliberately no limit per email across addresses: that is what let anyone lock anyone out
(ten wrong passwords from anywhere made the right one fail for everybody). Guesses spread over many
addresses are left to the password rules (``passwords.py``: no common or trivial passwords).

Past a limit nobody is locked: each further try must wait ``web.login_delay_s`` after the latest
failure, doubled for every failure past the limit, at most ``web.login_window_s``. The wait is the
``retry_after`` of :class:`TooManyAttemptsError` (the ``Retry-After`` header); a refused try does not
count. A successful login forgets that pair's failures only.

Atomic: :func:`begin_attempt` counts and records the try in one transaction, before the password is
checked, and the try counts as a failure until :func:`attempt_succeeded` removes it. Concurrent tries
cannot all see "nine so far": SQLite transactions here begin IMMEDIATE (one writer at a time), and
on PostgreSQL the transaction first takes an advisory lock on the client address.

Sign-ups (``/signup``, ``POST /api/users/register``) have a plain limit of their own, in their own
table: at most ``web.signup_per_hour`` from one client address in any hour (:func:`begin_signup`);
the next is refused until the oldest of them is an hour old. Only sign-ups that made an account or
were refused because the email has one count (``web/security/signup.py`` forgets the others with
:func:`forget_signup`): the first costs storage, the second tells something about accounts.

Addresses are what the server believes (``request.client``: the TCP peer, or the address a proxy
named in ``web.forwarded_allow_ips`` forwarded). An IPv6 address counts by its /64 network, which one
host or household usually holds whole.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, text
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from framecast.core.errors import TooManyAttemptsError
from framecast.core.settings import WebSettings
from framecast.db.accounts import LoginAttempt, SignupAttempt
from framecast.db.base import utcnow
from framecast.db.session import Database

# Column widths of ``login_attempts``.
_EMAIL_WIDTH = 320
_CLIENT_WIDTH = 64
SIGNUP_WINDOW = timedelta(hours=1)
# 2**30 times any delay is past any window: the cap applies long before.
_MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class Attempt:
    """A try recorded by :func:`begin_attempt`; it counts as a failure until it succeeds."""

    id: int
    email: str
    client: str


def client_address(request: HTTPConnection) -> str:
    """The address a request's tries count against: uvicorn's ``client``, which is the TCP peer
    unless the peer is a proxy named in ``web.forwarded_allow_ips`` (then the address it forwarded)."""
    return request.client.host if request.client else "unknown"


def client_key(client: str) -> str:
    """What failures are counted against: the address, an IPv6 address's /64 network, or the text."""
    try:
        address = ipaddress.ip_address((client or "").strip())
    except ValueError:
        return (client or "unknown").strip()[:_CLIENT_WIDTH] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def email_key(email: str) -> str:
    return email.strip().lower()[:_EMAIL_WIDTH]


def begin_attempt(
    db: Database,
    limits: WebSettings,
    *,
    email: str,
    client: str,
    now: datetime | None = None,
    what: str = "failed logins",
) -> Attempt:
    """Record a password try of ``email`` from ``client``, unless it must wait.

    Raises :class:`TooManyAttemptsError` (``retry_after`` in seconds) when the pair or the address is
    past its limit and the wait since the latest failure is not over ("too many ``what``; try
    again in ..."); nothing is recorded then.
    """
    now = now or utcnow()
    key_email, key_client = email_key(email), client_key(client)
    since = now - timedelta(seconds=limits.login_window_s)
    with db.session() as session:
        _lock_address(session, key_client)
        session.execute(delete(LoginAttempt).where(LoginAttempt.at <= since))
        wait = max(
            _wait(
                session,
                limits,
                now,
                allowed=limits.login_attempts,
                where=(LoginAttempt.client == key_client, LoginAttempt.email == key_email),
            ),
            _wait(
                session,
                limits,
                now,
                allowed=limits.login_attempts_per_address,
                where=(LoginAttempt.client == key_client,),
            ),
        )
        if wait > 0:
            raise TooManyAttemptsError(
                f"too many {what}; try again in {describe_wait(wait)}", retry_after=wait
            )
        row = LoginAttempt(email=key_email, client=key_client, at=now)
        session.add(row)
        session.flush()
        return Attempt(row.id, key_email, key_client)


def attempt_succeeded(db: Database, attempt: Attempt) -> None:
    """The password was right: forget this try and the earlier failures of the same pair."""
    with db.session() as session:
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.client == attempt.client, LoginAttempt.email == attempt.email
            )
        )


def begin_signup(db: Database, limits: WebSettings, *, client: str, now: datetime | None = None) -> int:
    """Record a sign-up from ``client`` and return its id, unless the address had
    ``web.signup_per_hour`` within the last hour.

    Raises :class:`TooManyAttemptsError` (``retry_after``: until the oldest of them is an hour old);
    nothing is recorded then. Counted and recorded in one transaction, like :func:`begin_attempt`.
    """
    now = now or utcnow()
    key = client_key(client)
    with db.session() as session:
        _lock_address(session, key)
        session.execute(delete(SignupAttempt).where(SignupAttempt.at <= now - SIGNUP_WINDOW))
        count, oldest = session.execute(
            select(func.count(SignupAttempt.id), func.min(SignupAttempt.at)).where(
                SignupAttempt.client == key
            )
        ).one()
        if int(count or 0) >= limits.signup_per_hour and oldest is not None:
            wait = max(0.0, (oldest + SIGNUP_WINDOW - now).total_seconds())
            raise TooManyAttemptsError(
                f"too many sign-ups from your address; try again in {describe_wait(wait)}", retry_after=wait
            )
        row = SignupAttempt(client=key, at=now)
        session.add(row)
        session.flush()
        return row.id


def forget_signup(db: Database, signup_id: int) -> None:
    """Stop counting a sign-up that was refused before it could make an account or tell anything."""
    with db.session() as session:
        session.execute(delete(SignupAttempt).where(SignupAttempt.id == signup_id))


def delay_after(limits: WebSettings, failures: int, allowed: int) -> float:
    """Seconds a try must wait after the latest of ``failures`` (0 below ``allowed``)."""
    over = failures - allowed
    if over < 0:
        return 0.0
    return float(min(limits.login_delay_s * 2 ** min(over, _MAX_DOUBLINGS), limits.login_window_s))


def describe_wait(seconds: float) -> str:
    whole = int(seconds) + 1
    if whole < 120:
        return f"{whole} second{'s' if whole != 1 else ''}"
    return f"{(whole + 59) // 60} minutes"


def _wait(
    session: Session,
    limits: WebSettings,
    now: datetime,
    *,
    allowed: int,
    where: tuple[ColumnElement[bool], ...],
) -> float:
    count, latest = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(*where)
    ).one()
    delay = delay_after(limits, int(count or 0), allowed)
    if delay <= 0 or latest is None:
        return 0.0
    return max(0.0, (latest + timedelta(seconds=delay) - now).total_seconds())


def _lock_address(session: Session, key: str) -> None:
    """Serialize the tries of one client address on PostgreSQL (SQLite's are serialized already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"framecast-login:{key}".encode()).digest()
    session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(digest[:8], "big", signed=True)},
    )
