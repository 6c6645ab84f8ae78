"""Creating users and checking logins; shared by the setup page, the admin API and ``framecast users``.

Emails are stored lower-cased and compared that way. Every rule broken raises
:class:`InvalidInputError` whose message starts with the field name (``email: ...``), so pages can
show it next to the form and the CLI can print it as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.core.errors import InvalidInputError, NotAuthenticatedError, NotFoundError
from framecast.core.settings import WebSettings
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.web.field_labels import field_error
from framecast.web.security.passwords import (
    check_password_rules,
    hash_password,
    verify_nothing,
    verify_password,
)
from framecast.web.security.ratelimit import (
    check_login_allowed,
    clear_failed_logins,
    record_failed_login,
)

MAX_EMAIL_LENGTH = 320
MAX_NAME_LENGTH = 200
# Deliberately loose: one "@" with something either side. Self-hosted teams use local domains, and
# nothing is ever mailed, so stricter checks would only refuse real addresses.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
WRONG_LOGIN = "wrong email or password"


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    password: str
    is_admin: bool = False


def normalize_email(email: str) -> str:
    """``email`` trimmed and lower-cased; raises :class:`InvalidInputError` when it is not an address."""
    value = email.strip().lower()
    if not value:
        raise field_error("email", "enter an email address")
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        raise field_error("email", f"{email.strip()!r} is not an email address (name@example.com)")
    return value


def check_name(name: str) -> str:
    """The display name trimmed; raises :class:`InvalidInputError` when empty or too long."""
    value = " ".join(name.split())
    if not value:
        raise field_error("name", "enter a name (it is shown to you and to administrators)")
    if len(value) > MAX_NAME_LENGTH:
        raise field_error("name", f"at most {MAX_NAME_LENGTH} characters")
    return value


def any_user_exists(db: Database) -> bool:
    with db.session() as session:
        return session.scalar(select(User.id).limit(1)) is not None


def email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


@dataclass(frozen=True)
class CheckedUser:
    """A :class:`NewUser` whose fields passed every rule, with the password already hashed."""

    email: str
    name: str
    password_hash: str
    is_admin: bool


def check_new_user(new: NewUser) -> CheckedUser:
    """Raises :class:`InvalidInputError` naming the first bad field (email, name, then password)."""
    email = normalize_email(new.email)
    name = check_name(new.name)
    check_password_rules(new.password)
    return CheckedUser(email, name, hash_password(new.password), new.is_admin)


def add_user(session: Session, user: CheckedUser) -> User:
    """Insert ``user`` in ``session``'s transaction; :class:`InvalidInputError` if the email is taken.

    A racing insert of the same email surfaces as ``IntegrityError`` when the transaction commits;
    callers turn it into :func:`duplicate_email`.
    """
    if email_taken(session, user.email):
        raise duplicate_email(user.email)
    row = User(
        email=user.email,
        name=user.name,
        password_hash=user.password_hash,
        is_admin=user.is_admin,
        preferences={},
    )
    session.add(row)
    session.flush()
    return row


def duplicate_email(email: str) -> InvalidInputError:
    return field_error("email", f"an account with {email} exists already")


def create_user(db: Database, new: NewUser, *, only_if_first: bool = False) -> User:
    """Create an account and return it.

    Raises :class:`InvalidInputError` for a bad email, name or password, or an email already used,
    and, with ``only_if_first``, :class:`NotFoundError` once any user exists (first-run setup is over).
    """
    checked = check_new_user(new)  # hashing takes a moment: do it before the transaction
    try:
        with db.session() as session:
            if only_if_first:
                _lock_users(session)
                if session.scalar(select(func.count(User.id))):
                    raise NotFoundError("setup is done: an administrator exists already; log in instead")
            return add_user(session, checked)
    except IntegrityError:
        raise duplicate_email(checked.email) from None


def _lock_users(session: Session) -> None:
    """Serialize first-run setups so two racing requests cannot both create "the first" admin."""
    # SQLite transactions here begin IMMEDIATE and are already serialized.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def check_login(db: Database, limits: WebSettings, *, email: str, password: str, client: str) -> User:
    """The (detached) user whose credentials these are.

    Raises :class:`TooManyAttemptsError` when this email or client address is over the failed-login
    limit (checked first, so a right password does not help), and :class:`NotAuthenticatedError`
    for wrong credentials (one message for an unknown email and a wrong password) or a disabled
    account. Each failure is recorded for the rate limit; a success clears the email's failures.
    """
    key = email.strip().lower()
    check_login_allowed(db, limits, email=key, client=client)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == key)) if key else None
    if user is None:
        verify_nothing(password)
        matched = False
    else:
        matched = verify_password(user.password_hash, password)
    if user is None or not matched:
        record_failed_login(db, limits, email=key, client=client)
        raise NotAuthenticatedError(WRONG_LOGIN)
    if user.disabled:
        raise NotAuthenticatedError("this account is disabled; ask an administrator to enable it")
    clear_failed_logins(db, key)
    return user
