"""Password rules and argon2id hashes.

:func:`check_password_rules` is the whole check of a new password: text that can be stored, a
length, and not too easy to guess (``password_strength.py``: common passwords, repeats, runs, the
user's own email or name). :func:`hash_password` checks only the length, so code that hashes a known
value (tests, migrations of old accounts) does not depend on the common-password list.

:func:`verify_password` never raises, so a corrupt or foreign hash in the database reads as a wrong
password rather than a server error. Every hash carries its own parameters, so changing them below
leaves existing hashes verifiable.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from framecast.core.text import text_problem
from framecast.web.field_labels import field_error
from framecast.web.security.password_strength import weakness

MIN_LENGTH = 10
# Argon2 accepts any length, but hashing megabytes of "password" on request is a cheap denial of service.
MAX_LENGTH = 1024

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 40 ms a hash, where
# argon2-cffi's default (64 MiB, 4 lanes) takes four times as long and as much memory per login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def check_password_rules(
    password: str,
    confirm: str | None = None,
    *,
    email: str = "",
    name: str = "",
    field: str = "password",
    confirm_field: str = "password_confirm",
) -> None:
    """Raise :class:`InvalidInputError` naming ``field`` (or ``confirm_field``) and saying what to change
    when ``password`` breaks a rule.

    ``confirm``, when given, must repeat the password exactly. ``email`` and ``name`` are the
    account's: a password made mostly of them is refused.
    """
    check_password_length(password, field=field)
    problem = weakness(password, email=email, name=name)
    if problem is not None:
        raise field_error(field, problem)
    if confirm is not None and confirm != password:
        raise field_error(confirm_field, "the two passwords differ; type the same one twice")


def check_password_length(password: str, *, field: str = "password") -> None:
    """The rules every stored password follows: storable text, 10 to 1024 characters, not only spaces."""
    problem = text_problem(password)
    if problem is not None:
        raise field_error(field, problem)
    if len(password) < MIN_LENGTH:
        raise field_error(field, f"use at least {MIN_LENGTH} characters (this one has {len(password)})")
    if len(password) > MAX_LENGTH:
        raise field_error(field, f"use at most {MAX_LENGTH} characters")
    if not password.strip():
        raise field_error(field, "must not be only spaces")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``; raises :class:`InvalidInputError` for a bad length (only:
    callers taking a new password from a person check :func:`check_password_rules` first)."""
    check_password_length(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or an unreadable hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> None:
    """Spend the time of one verification, for an unknown email: login time does not reveal accounts."""
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("framecast-dummy-password")
