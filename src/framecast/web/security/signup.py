"""Sign-up: people creating their own account, as the server's ``web.signup`` setting allows.

* ``closed`` (the default): nobody signs up; administrators create accounts and invitations.
* ``invite``: a valid invitation is needed, given as its code or its whole link. Today that is an
  administrator's invitation (``invites.py``), which names the email address the account gets and
  is used up by the sign-up. Whatever else comes to count as an invitation (a teacher's class
  code) is one more branch of :func:`admit`, the only place that decides who may sign up.
* ``open``: anyone, or with ``web.signup_email_domain`` only addresses at exactly that domain.

Accounts made here are ordinary users (learners), except that an administrator's invitation for an
administrator makes one, as its own link does. Nobody signs up before the first administrator
exists: ``/setup`` works only on an empty server, and a sign-up must not take it away.

Account enumeration: a sign-up for an email that has an account is refused with the same message an
administrator sees (``Email: an account with ... exists already``). Hiding it would need a mail to
the address (nothing is ever mailed) and would leave a person who mistyped with no account and no
reason. What it tells is bounded instead: the check comes after every other rule (a strong
password, the domain, a valid invitation, which already names its address), and each such refusal
counts for the per-address limit (``web.signup_per_hour``, ``ratelimit.py``) like an account made.
Refusals that tell nothing (a weak password, a mismatch) do not count, so a class mistyping behind
one school address does not use up its sign-ups. Login answers one message for both cases as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.core.settings import WebSettings
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.web.field_labels import field_error
from framecast.web.security.accounts import (
    NewUser,
    add_user,
    any_user_exists,
    check_name,
    check_new_user,
    check_text,
    duplicate_email,
    normalize_email,
)
from framecast.web.security.invites import INVALID_INVITE, claim_invite, find_invite
from framecast.web.security.passwords import check_password_rules
from framecast.web.security.ratelimit import begin_signup, forget_signup

SIGNUP_CLOSED = "sign-up is closed on this server; ask an administrator for an account or an invitation"
NOT_SET_UP = "sign-up opens once this server is set up: its first administrator is created on /setup"
# Far longer than any invitation link; longer text is not one.
MAX_INVITE_LENGTH = 2048


@dataclass(frozen=True)
class Registration:
    """What a person signing up sends. ``confirm`` (the page's second password) may be omitted by
    API clients; ``invite`` is the invitation code or link (needed when ``web.signup`` is invite)."""

    email: str
    name: str
    password: str
    confirm: str | None = None
    invite: str = ""


Use = Callable[[Session, User], None]


def _nothing_to_use(session: Session, user: User) -> None:
    return None


@dataclass(frozen=True)
class Admission:
    """Why a sign-up may go ahead: the address it gets, whether it makes an administrator, and what
    using it does inside the transaction that adds the account (``use`` raises to refuse)."""

    email: str
    is_admin: bool = False
    use: Use = _nothing_to_use


def signup_enabled(limits: WebSettings) -> bool:
    return limits.signup != "closed"


def admit(db: Database, limits: WebSettings, *, email: str, invite: str) -> Admission:
    """The one check of whether someone may sign up with ``email`` (and ``invite``).

    Raises :class:`NotFoundError` when sign-up is closed, and :class:`InvalidInputError` naming
    Email for an address that is not one or not at the allowed domain, or Invitation for a missing,
    used, expired or revoked invitation or one made for another address.
    """
    if not signup_enabled(limits):
        raise NotFoundError(SIGNUP_CLOSED)
    address = normalize_email(email)
    if limits.signup == "open":
        domain = limits.signup_email_domain
        if domain and address.rpartition("@")[2] != domain:
            raise field_error("email", f"sign-up here is for addresses at {domain} (name@{domain})")
        return Admission(address)
    token = invite_token(invite)
    if not token:
        raise field_error("invite", "enter the invitation code or link you were given")
    try:
        found = find_invite(db, token)
    except NotFoundError:
        raise field_error("invite", INVALID_INVITE) from None
    if found.email != address:
        # The invitation's own page shows its address to whoever holds it: nothing leaks here.
        raise field_error("email", f"this invitation is for {found.email}; sign up with that address")

    def use_invite(session: Session, user: User) -> None:
        if not claim_invite(session, found.id):
            raise field_error("invite", INVALID_INVITE)

    return Admission(address, is_admin=found.is_admin, use=use_invite)


def invite_token(text: str) -> str:
    """The token of an invitation given as its code, its path or its whole link; "" for none."""
    value = check_text("invite", text).strip()
    if len(value) > MAX_INVITE_LENGTH:
        return ""
    _, sep, tail = value.rpartition("/invite/")
    if sep:
        value = tail
    return value.split("?", 1)[0].split("#", 1)[0].strip("/ ")


def register(db: Database, limits: WebSettings, request: Registration, *, client: str) -> User:
    """Create the account of a person signing up from ``client`` and return it (detached).

    Raises :class:`NotFoundError` when sign-up is closed or no account exists yet,
    :class:`TooManyAttemptsError` when ``client`` made ``web.signup_per_hour`` sign-ups within the
    hour, and :class:`InvalidInputError` naming the field (Email, Invitation, Name, Password, Confirm
    password), the last check being an email that has an account already.
    """
    if not signup_enabled(limits):
        raise NotFoundError(SIGNUP_CLOSED)
    if not any_user_exists(db):
        raise NotFoundError(NOT_SET_UP)
    signup_id = begin_signup(db, limits, client=client)
    try:
        admission = admit(db, limits, email=request.email, invite=request.invite)
        name = check_name(request.name)
        check_password_rules(
            request.password,
            request.confirm,
            email=admission.email,
            name=name,
            confirm_field="confirm_password",
        )
        # Hashing takes a moment: done before the transaction.
        checked = check_new_user(NewUser(admission.email, name, request.password, admission.is_admin))
    except (InvalidInputError, NotFoundError):
        forget_signup(db, signup_id)
        raise
    # From here on the sign-up counts: it makes an account or finds the email taken.
    try:
        with db.session() as session:
            user = add_user(session, checked)
            admission.use(session, user)
            return user
    except IntegrityError:
        raise duplicate_email(checked.email) from None
