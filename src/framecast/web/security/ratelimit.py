"""Login rate limiting: failed attempts per email and per client address, in a sliding window.

Failures live in the database (``LoginAttempt``), so the limit holds across restarts and across
several server processes. At most ``settings.web.login_attempts`` failures are allowed for one email,
and as many for one client address, within ``settings.web.login_window_s``; the next attempt is
refused, even with the right password, until the oldest counted failure leaves the window. A
successful login clears the failures against its email; failures against other emails still count
for the address, so one address guessing at many accounts stays limited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from framecast.core.errors import TooManyAttemptsError
from framecast.core.settings import WebSettings
from framecast.db.accounts import LoginAttempt
from framecast.db.base import utcnow
from framecast.db.session import Database

# Column widths of ``login_attempts``.
_EMAIL_WIDTH = 320
_CLIENT_WIDTH = 64


def check_login_allowed(
    db: Database, limits: WebSettings, *, email: str, client: str, now: datetime | None = None
) -> None:
    """Raise :class:`TooManyAttemptsError` (with ``retry_after`` seconds) when over the limit."""
    now = now or utcnow()
    window = timedelta(seconds=limits.login_window_s)
    waits: list[float] = []
    with db.session() as session:
        for matches in (
            LoginAttempt.email == _email(email),
            LoginAttempt.client == _client(client),
        ):
            times = list(
                session.scalars(
                    select(LoginAttempt.at)
                    .where(matches, LoginAttempt.at > now - window)
                    .order_by(LoginAttempt.at)
                )
            )
            if len(times) >= limits.login_attempts:
                # The failure whose expiry brings the count back under the limit.
                oldest = times[len(times) - limits.login_attempts]
                waits.append(max(0.0, (oldest + window - now).total_seconds()))
    if waits:
        wait = max(waits)
        raise TooManyAttemptsError(
            f"too many failed logins; try again in {_describe(wait)}", retry_after=wait
        )


def record_failed_login(
    db: Database, limits: WebSettings, *, email: str, client: str, now: datetime | None = None
) -> None:
    """Count one failed login; failures older than the window are dropped on the way."""
    now = now or utcnow()
    with db.session() as session:
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.at <= now - timedelta(seconds=limits.login_window_s))
        )
        session.add(LoginAttempt(email=_email(email), client=_client(client), at=now))


def clear_failed_logins(db: Database, email: str) -> None:
    """Forget the failures of ``email`` after it logged in successfully."""
    with db.session() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.email == _email(email)))


def _email(email: str) -> str:
    return email.strip().lower()[:_EMAIL_WIDTH]


def _client(client: str) -> str:
    return (client or "unknown")[:_CLIENT_WIDTH]


def _describe(seconds: float) -> str:
    whole = int(seconds) + 1
    if whole < 120:
        return f"{whole} seconds"
    return f"{(whole + 59) // 60} minutes"
