"""Password reset links: an admin makes a one-time link for a user who lost their password.

Nothing is mailed (Framecast sends no email): the admin passes the link on, like an invitation. The
link carries a random token; only its SHA-256 is stored. It works once, for :data:`RESET_HOURS`, only
for an enabled account, and only while its creator is an enabled administrator. A user has at most
one live link: a new one replaces the old. Setting the password ends every session and API token of
the account (whoever knew the old password is logged out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.core.secret import token_hash
from framecast.core.text import text_problem
from framecast.db.accounts import PasswordReset, User
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.web.security.accounts import active_admin_ids
from framecast.web.security.passwords import check_password_rules, hash_password
from framecast.web.security.sessions import delete_credentials, new_token

RESET_HOURS = 24
INVALID_RESET = (
    "this password reset link is not valid: it was used already, has expired, was replaced by a newer "
    "one or never existed; ask an administrator for a new one"
)


@dataclass(frozen=True)
class PendingReset:
    id: int
    user_id: int
    email: str
    name: str
    expires_at: datetime


def _usable(now: datetime) -> ColumnElement[bool]:
    return and_(
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now,
        PasswordReset.created_by.in_(active_admin_ids()),
        PasswordReset.user_id.in_(select(User.id).where(User.disabled.is_(False))),
    )


def create_reset_link(
    db: Database, *, user_id: int, created_by: int, hours: float = RESET_HOURS
) -> tuple[str, datetime]:
    """``(token, expires_at)`` of a new reset link for ``user_id``, replacing any earlier one.

    Raises :class:`NotFoundError` for an unknown user and :class:`InvalidInputError` for a disabled
    account (enable it first: a link for it could not be used).
    """
    token = new_token()
    now = utcnow()
    expires_at = now + timedelta(hours=hours)
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        if user.disabled:
            raise InvalidInputError(
                f"{user.email} is disabled; enable the account before resetting its password"
            )
        session.execute(
            delete(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        )
        session.add(
            PasswordReset(
                token_hash=token_hash(token),
                user_id=user_id,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
        )
    return token, expires_at


def find_reset(db: Database, token: str) -> PendingReset:
    """The usable reset link for ``token``; raises :class:`NotFoundError` otherwise."""
    if text_problem(token) is not None:
        raise NotFoundError(INVALID_RESET)
    with db.session() as session:
        found = session.execute(
            select(PasswordReset, User)
            .join(User, User.id == PasswordReset.user_id)
            .where(PasswordReset.token_hash == token_hash(token), _usable(utcnow()))
        ).first()
        if found is None:
            raise NotFoundError(INVALID_RESET)
        reset, user = found
        return PendingReset(reset.id, user.id, user.email, user.name, reset.expires_at)


def use_reset_link(db: Database, token: str, password: str, confirm: str) -> User:
    """Set the account's new password, use up the link and end the account's sessions and tokens;
    returns the (detached) user.

    Raises :class:`NotFoundError` for a link that is not usable (see :func:`find_reset`), and
    :class:`InvalidInputError` naming ``new_password`` / ``new_password_confirm`` for a password that
    breaks a rule (the link stays usable).
    """
    reset = find_reset(db, token)
    check_password_rules(
        password,
        confirm,
        email=reset.email,
        name=reset.name,
        field="new_password",
        confirm_field="new_password_confirm",
    )
    password_hash = hash_password(password)  # takes a moment: before the transaction
    with db.session() as session:
        # Claim the link in the same transaction as the change: of two racing uses only one counts.
        claimed = session.execute(
            update(PasswordReset)
            .where(PasswordReset.id == reset.id, _usable(utcnow()))
            .values(used_at=utcnow())
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFoundError(INVALID_RESET)
        user = session.get(User, reset.user_id)
        if user is None:
            raise NotFoundError(INVALID_RESET)
        user.password_hash = password_hash
        delete_credentials(session, user.id)
        session.flush()
        session.expunge(user)
        return user
