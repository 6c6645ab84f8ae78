"""One-time invitation links: an admin names the person, the invitee chooses a password.

The link carries a random token; only its SHA-256 is stored. A link works once, until it expires,
and only while it is not revoked and the admin who made it is still an enabled administrator:
disabling or demoting an admin revokes their pending invitations (:func:`revoke_links_issued_by`),
and the same condition is checked again when a link is used, so an older link of an admin disabled
before this rule existed does not work either.

With ``web.signup`` "invite" the same link (or its token, as a code) also lets its invitee sign up on
``/signup`` or ``POST /api/users/register`` (``signup.py``), which uses it up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from framecast.core.errors import NotFoundError
from framecast.core.secret import token_hash
from framecast.core.text import text_problem
from framecast.db.accounts import Invite, PasswordReset, User
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.web.security.accounts import (
    NewUser,
    active_admin_ids,
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
    "this invitation link is not valid: it was used already, has expired, was revoked or never "
    "existed; ask for a new one"
)


@dataclass(frozen=True)
class PendingInvite:
    id: int
    email: str
    name: str
    is_admin: bool
    expires_at: datetime
    created_at: datetime | None = None
    invited_by: int | None = None
    invited_by_name: str = ""


def _pending(now: datetime) -> ColumnElement[bool]:
    return and_(
        Invite.used_at.is_(None),
        Invite.revoked_at.is_(None),
        Invite.expires_at > now,
        Invite.invited_by.in_(active_admin_ids()),
    )


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
    """The usable invitation for ``token``; raises :class:`NotFoundError` otherwise."""
    if text_problem(token) is not None:
        raise NotFoundError(INVALID_INVITE)
    with db.session() as session:
        row = session.scalar(select(Invite).where(Invite.token_hash == token_hash(token), _pending(utcnow())))
        if row is None:
            raise NotFoundError(INVALID_INVITE)
        return PendingInvite(row.id, row.email, row.name, row.is_admin, row.expires_at)


def list_invites(db: Database) -> list[PendingInvite]:
    """Every usable invitation, newest first, with who made it."""
    inviter = aliased(User)
    with db.session() as session:
        rows = session.execute(
            select(Invite, inviter.name)
            .join(inviter, inviter.id == Invite.invited_by)
            .where(_pending(utcnow()))
            .order_by(Invite.created_at.desc(), Invite.id.desc())
        ).all()
        return [
            PendingInvite(
                row.id,
                row.email,
                row.name,
                row.is_admin,
                row.expires_at,
                created_at=row.created_at,
                invited_by=row.invited_by,
                invited_by_name=inviter_name,
            )
            for row, inviter_name in rows
        ]


def revoke_invite(db: Database, invite_id: int) -> None:
    """Make a pending invitation unusable; :class:`NotFoundError` when there is no such pending one."""
    with db.session() as session:
        done = session.execute(
            update(Invite).where(Invite.id == invite_id, _pending(utcnow())).values(revoked_at=utcnow())
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFoundError(f"no pending invitation {invite_id}: it was used, has expired or was revoked")


def revoke_links_issued_by(db: Database, admin_id: int) -> int:
    """Revoke the pending invitations and drop the unused password reset links that ``admin_id``
    made (they are being disabled or demoted); returns how many invitations were revoked."""
    now = utcnow()
    with db.session() as session:
        done = session.execute(
            update(Invite)
            .where(
                Invite.invited_by == admin_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
            .values(revoked_at=now)
        )
        session.execute(
            delete(PasswordReset).where(PasswordReset.created_by == admin_id, PasswordReset.used_at.is_(None))
        )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]


def claim_invite(session: Session, invite_id: int) -> bool:
    """Use up invitation ``invite_id`` in ``session``'s transaction; False when it is no longer
    pending (used by a racing request, revoked, expired, or its admin disabled meanwhile)."""
    claimed = session.execute(
        update(Invite).where(Invite.id == invite_id, _pending(utcnow())).values(used_at=utcnow())
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def accept_invite(db: Database, token: str, password: str, confirm: str) -> User:
    """Create the invited account with ``password`` and use up the link; returns the new user.

    Raises :class:`NotFoundError` for a used, expired, revoked or unknown link (or one whose admin
    is no longer an enabled administrator), and :class:`InvalidInputError` for a password that
    breaks a rule (the link stays usable) or an email that got an account since the invitation was
    sent.
    """
    invite = find_invite(db, token)
    check_password_rules(password, confirm, email=invite.email, name=invite.name)
    checked = check_new_user(NewUser(invite.email, invite.name, password, invite.is_admin))
    try:
        with db.session() as session:
            # Claim the link in the same transaction: of two racing submissions only one gets the row,
            # and a link revoked (or its admin disabled) meanwhile is not claimed.
            if not claim_invite(session, invite.id):
                raise NotFoundError(INVALID_INVITE)
            return add_user(session, checked)
    except IntegrityError:
        raise duplicate_email(checked.email) from None
