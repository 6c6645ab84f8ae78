"""One-time invitation links: an admin names the person, the invitee chooses a password.

The link carries a random token; only its SHA-256 is stored. A link works once, until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from framecast.core.errors import NotFoundError
from framecast.core.secret import token_hash
from framecast.db.accounts import Invite, User
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.web.security.accounts import (
    NewUser,
    add_user,
    check_name,
    check_new_user,
    duplicate_email,
    email_taken,
    normalize_email,
)
from framecast.web.security.passwords import check_password_rules
from framecast.web.security.sessions import new_token

INVITE_DAYS = 7
INVALID_INVITE = (
    "this invitation link is not valid: it was used already, has expired or never existed; ask for a new one"
)


@dataclass(frozen=True)
class PendingInvite:
    id: int
    email: str
    name: str
    is_admin: bool
    expires_at: datetime


def create_invite(
    db: Database, *, email: str, name: str, is_admin: bool, invited_by: int, days: float = INVITE_DAYS
) -> tuple[str, datetime]:
    """``(token, expires_at)`` of a new invitation; :class:`InvalidInputError` if the email has an account."""
    address = normalize_email(email)
    display = check_name(name)
    token = new_token()
    expires_at = utcnow() + timedelta(days=days)
    with db.session() as session:
        if email_taken(session, address):
            raise duplicate_email(address)
        session.add(
            Invite(
                token_hash=token_hash(token),
                email=address,
                name=display,
                is_admin=is_admin,
                invited_by=invited_by,
                expires_at=expires_at,
            )
        )
    return token, expires_at


def find_invite(db: Database, token: str) -> PendingInvite:
    """The unused, unexpired invitation for ``token``; raises :class:`NotFoundError` otherwise."""
    with db.session() as session:
        row = session.scalar(select(Invite).where(Invite.token_hash == token_hash(token)))
        if row is None or row.used_at is not None or row.expires_at <= utcnow():
            raise NotFoundError(INVALID_INVITE)
        return PendingInvite(row.id, row.email, row.name, row.is_admin, row.expires_at)


def accept_invite(db: Database, token: str, password: str, confirm: str) -> User:
    """Create the invited account with ``password`` and use up the link; returns the new user.

    Raises :class:`NotFoundError` for a used, expired or unknown link, and :class:`InvalidInputError`
    for a password that breaks a rule (the link stays usable) or an email that got an account since
    the invitation was sent.
    """
    invite = find_invite(db, token)
    check_password_rules(password, confirm)
    checked = check_new_user(NewUser(invite.email, invite.name, password, invite.is_admin))
    try:
        with db.session() as session:
            # Claim the link in the same transaction: of two racing submissions only one gets the row.
            claimed = session.execute(
                update(Invite)
                .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at > utcnow())
                .values(used_at=utcnow())
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise NotFoundError(INVALID_INVITE)
            return add_user(session, checked)
    except IntegrityError:
        raise duplicate_email(checked.email) from None
