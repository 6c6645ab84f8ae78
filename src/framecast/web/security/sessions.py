"""Browser sessions, API tokens and stream tokens: random values handed out once, stored only as
SHA-256.

A stolen database therefore holds no usable credential. Expired rows are refused by
``web/deps.py`` and swept here whenever a new one is created.

A stream token (``POST /api/auth/stream-token``) is for clients that must put a credential in a URL
(EventSource, WebSocket), where it may end up in logs and browser history: it is valid for
:data:`STREAM_TOKEN_SECONDS`, works once, and only as ``?token=`` on :data:`STREAM_PATHS`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from framecast.core.secret import token_hash
from framecast.db.accounts import ApiToken, PasswordReset, StreamToken, User, WebSession
from framecast.db.base import utcnow
from framecast.db.session import Database

STREAM_TOKEN_SECONDS = 60
# Where a stream token is accepted (as ``?token=``): the job events and the Tutor's socket.
STREAM_PATHS = ("/api/events", "/ws/conversation/")


@dataclass(frozen=True)
class Revoked:
    """What :func:`revoke_other_credentials` ended."""

    sessions: int
    tokens: int


def new_token() -> str:
    """A random URL-safe token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def create_api_token(db: Database, user_id: int, *, days: float) -> str:
    """A bearer token for ``user_id`` valid for ``days``; only its hash is stored."""
    token, _ = create_api_token_expiring(db, user_id, days=days)
    return token


def create_api_token_expiring(db: Database, user_id: int, *, days: float) -> tuple[str, datetime]:
    """Like :func:`create_api_token`, also returning when the token expires."""
    token = new_token()
    now = utcnow()
    expires_at = now + timedelta(days=days)
    with db.session() as session:
        session.execute(delete(ApiToken).where(ApiToken.expires_at <= now))
        session.add(
            ApiToken(token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=expires_at)
        )
    return token, expires_at


def revoke_api_token(db: Database, token: str) -> bool:
    """Forget ``token``; True if it existed."""
    with db.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
        if row is None:
            return False
        session.delete(row)
        return True


def create_web_session(db: Database, user_id: int, *, days: float) -> tuple[str, str]:
    """A browser session for ``user_id``: ``(cookie token, CSRF token)``; only the cookie's hash is stored."""
    token = new_token()
    csrf_token = new_token()
    now = utcnow()
    with db.session() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        session.add(
            WebSession(
                token_hash=token_hash(token),
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
    return token, csrf_token


def delete_web_session(db: Database, token: str) -> bool:
    """End the browser session whose cookie is ``token``; True if it existed."""
    with db.session() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
        if row is None:
            return False
        session.delete(row)
        return True


def create_stream_token(db: Database, user_id: int) -> tuple[str, datetime]:
    """A one-use token for ``user_id``'s next EventSource or WebSocket, valid for a minute."""
    token = new_token()
    now = utcnow()
    expires_at = now + timedelta(seconds=STREAM_TOKEN_SECONDS)
    with db.session() as session:
        session.execute(delete(StreamToken).where(StreamToken.expires_at <= now))
        session.add(
            StreamToken(token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=expires_at)
        )
    return token, expires_at


def accepts_stream_token(path: str) -> bool:
    """True for the paths a stream token works on (see :data:`STREAM_PATHS`)."""
    return path == STREAM_PATHS[0] or path.startswith(STREAM_PATHS[1])


def claim_stream_token(db: Database, token: str) -> User | None:
    """The (detached) enabled user of a valid stream ``token``, which is used up; else None.

    Of two requests racing with one token only one gets the user: the row is deleted, and only the
    request whose delete removed it counts.
    """
    now = utcnow()
    with db.session() as session:
        row = session.scalar(select(StreamToken).where(StreamToken.token_hash == token_hash(token)))
        if row is None:
            return None
        claimed = session.execute(delete(StreamToken).where(StreamToken.id == row.id))
        if claimed.rowcount != 1 or row.expires_at <= now:  # type: ignore[attr-defined]
            return None
        user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        session.expunge(user)
        return user


def revoke_everything(db: Database, user_id: int) -> None:
    """End every session and token of ``user_id``, and drop their unused reset links (when an
    admin disables the account, or the password is set from the shell)."""
    with db.session() as session:
        delete_credentials(session, user_id)


def delete_credentials(session: Session, user_id: int) -> None:
    """:func:`revoke_everything` inside the caller's transaction."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    session.execute(delete(StreamToken).where(StreamToken.user_id == user_id))
    session.execute(
        delete(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
    )


def revoke_other_credentials(
    db: Database, user_id: int, *, keep_session: str | None = None, keep_token: str | None = None
) -> Revoked:
    """End ``user_id``'s sessions and API tokens except the session whose cookie is ``keep_session``
    and the token ``keep_token`` (the request's own credential); stream tokens and pending reset
    links all go. For a password change."""
    kept_session = token_hash(keep_session) if keep_session else ""
    kept_token = token_hash(keep_token) if keep_token else ""
    with db.session() as session:
        sessions = session.execute(
            delete(WebSession).where(WebSession.user_id == user_id, WebSession.token_hash != kept_session)
        )
        tokens = session.execute(
            delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.token_hash != kept_token)
        )
        session.execute(delete(StreamToken).where(StreamToken.user_id == user_id))
        session.execute(
            delete(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        )
        return Revoked(
            sessions=int(sessions.rowcount or 0),  # type: ignore[attr-defined]
            tokens=int(tokens.rowcount or 0),  # type: ignore[attr-defined]
        )
