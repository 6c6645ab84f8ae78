"""Browser sessions and API tokens: random values handed out once, stored only as SHA-256.

A stolen database therefore holds no usable credential. Expired rows are refused by
``web/deps.py`` and swept here whenever a new one is created.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from framecast.core.secret import token_hash
from framecast.db.accounts import ApiToken, WebSession
from framecast.db.base import utcnow
from framecast.db.session import Database


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


def revoke_everything(db: Database, user_id: int) -> None:
    """End every session and token of ``user_id`` (when an admin disables the account)."""
    with db.session() as session:
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))
        session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
