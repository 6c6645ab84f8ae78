"""Creating users, checking logins and changing passwords; shared by the setup page, the admin API
and ``framecast users``.

Emails are stored lower-cased and compared that way. Every rule broken raises
:class:`InvalidInputError` whose message starts with the field's label (``Email: ...``), so pages can
show it next to the form and the CLI can print it as is. Text that cannot be stored (a NUL
character, an unpaired surrogate) is refused here, naming the field, before any query sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.core.errors import InvalidInputError, NotAuthenticatedError, NotFoundError
from framecast.core.settings import WebSettings
from framecast.core.text import text_problem
from framecast.db.accounts import Role, User
from framecast.db.session import Database
from framecast.web.field_labels import field_error
from framecast.web.security.passwords import (
    check_password_rules,
    hash_password,
    verify_nothing,
    verify_password,
)
from framecast.web.security.ratelimit import attempt_succeeded, begin_attempt
from framecast.web.security.sessions import Revoked, revoke_everything, revoke_other_credentials

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


def check_text(field: str, value: str) -> str:
    """``value``, or :class:`InvalidInputError` naming ``field`` when it cannot be stored as text."""
    problem = text_problem(value)
    if problem is not None:
        raise field_error(field, problem)
    return value


def normalize_email(email: str) -> str:
    """``email`` trimmed and lower-cased; raises :class:`InvalidInputError` when it is not an address."""
    value = check_text("email", email).strip().lower()
    if not value:
        raise field_error("email", "enter an email address")
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        raise field_error("email", f"{email.strip()!r} is not an email address (name@example.com)")
    return value


def check_name(name: str) -> str:
    """The display name trimmed; raises :class:`InvalidInputError` when empty or too long."""
    value = " ".join(check_text("name", name).split())
    if not value:
        raise field_error("name", "enter a name (it is shown to you and to administrators)")
    if len(value) > MAX_NAME_LENGTH:
        raise field_error("name", f"at most {MAX_NAME_LENGTH} characters")
    return value


def any_user_exists(db: Database) -> bool:
    with db.session() as session:
        return session.scalar(select(User.id).limit(1)) is not None


def active_admin_ids() -> Select[int]:
    """The ids of enabled administrators: the only users whose invitation and reset links work."""
    return select(User.id).where(User.is_admin.is_(True), User.disabled.is_(False))


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
    check_password_rules(new.password, email=email, name=name)
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

    Raises :class:`InvalidInputError` for an email or password that is not storable text (before
    anything is counted or queried), :class:`TooManyAttemptsError` when this email from this client
    address, or this address at all, must wait (see ``ratelimit.py``; checked first, so a right
    password does not help), and :class:`NotAuthenticatedError` for wrong credentials (one message
    for an unknown email and a wrong password) or a disabled account. A wrong password counts for the
    rate limit; a right one forgets the failures of this email from this address.
    """
    check_text("email", email)
    check_text("password", password)
    key = email.strip().lower()
    attempt = begin_attempt(db, limits, email=key, client=client)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == key)) if key else None
    if user is None:
        verify_nothing(password)
        matched = False
    else:
        matched = verify_password(user.password_hash, password)
    if user is None or not matched:
        raise NotAuthenticatedError(WRONG_LOGIN)
    attempt_succeeded(db, attempt)
    if user.disabled:
        raise NotAuthenticatedError("this account is disabled; ask an administrator to enable it")
    return user


@dataclass(frozen=True)
class PasswordChange:
    current: str
    new: str
    confirm: str


def change_password(
    db: Database,
    limits: WebSettings,
    user_id: int,
    change: PasswordChange,
    *,
    client: str,
    keep_session: str | None = None,
    keep_token: str | None = None,
) -> Revoked:
    """Replace ``user_id``'s password after checking the current one; end their other sessions and
    API tokens (all but ``keep_session`` / ``keep_token``, the request's own credential).

    Raises :class:`InvalidInputError` naming ``current_password`` when it is wrong (counted like a
    failed login) and ``new_password`` / ``new_password_confirm`` for a new password that breaks a
    rule or repeats the current one; :class:`TooManyAttemptsError` when wrong current passwords from
    this address must wait; :class:`NotFoundError` for an unknown user.
    """
    check_text("current_password", change.current)
    check_text("new_password", change.new)
    check_text("new_password_confirm", change.confirm)
    user = _user(db, user_id)
    attempt = begin_attempt(db, limits, email=user.email, client=client, what="wrong passwords")
    if not verify_password(user.password_hash, change.current):
        raise field_error("current_password", "this is not your current password")
    attempt_succeeded(db, attempt)
    check_password_rules(
        change.new,
        change.confirm,
        email=user.email,
        name=user.name,
        field="new_password",
        confirm_field="new_password_confirm",
    )
    if change.new == change.current:
        raise field_error("new_password", "this is your current password; choose a new one")
    _store_hash(db, user_id, hash_password(change.new))
    return revoke_other_credentials(db, user_id, keep_session=keep_session, keep_token=keep_token)


def set_password(db: Database, email: str, password: str) -> User:
    """Give the account of ``email`` a new password and end all its sessions and tokens (the
    server's shell: ``framecast users set-password``). Returns the (detached) user.

    Raises :class:`InvalidInputError` for a password that breaks a rule and :class:`NotFoundError`
    for an email without an account.
    """
    address = normalize_email(email)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            raise NotFoundError(f"no account with the email {address}; `framecast users list` shows them")
        session.expunge(user)
    check_password_rules(password, email=user.email, name=user.name)
    _store_hash(db, user.id, hash_password(password))
    revoke_everything(db, user.id)
    return user


def set_role(db: Database, email: str, role: Role) -> User:
    """Make the account of ``email`` a teacher or a learner (``framecast users set-role``); returns
    the (detached) user. A teacher made a learner keeps their classes but sees none of them until
    made a teacher again; their learners stay in them.

    Raises :class:`InvalidInputError` for a malformed email and :class:`NotFoundError` for an email
    without an account.
    """
    address = normalize_email(email)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            raise NotFoundError(f"no account with the email {address}; `framecast users list` shows them")
        user.role = role.value
        session.flush()
        session.expunge(user)
        return user


def _user(db: Database, user_id: int) -> User:
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        session.expunge(user)
        return user


def _store_hash(db: Database, user_id: int, password_hash: str) -> None:
    with db.session() as session:
        session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
