"""Password rules and argon2id hashes.

:func:`verify_password` never raises, so a corrupt or foreign hash in the database reads as a wrong
password rather than a server error. Every hash carries its own parameters, so changing them below
leaves existing hashes verifiable.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from framecast.web.field_labels import field_error

MIN_LENGTH = 10
# Argon2 accepts any length, but hashing megabytes of "password" on request is a cheap denial of service.
MAX_LENGTH = 1024

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 40 ms a hash, where
# argon2-cffi's default (64 MiB, 4 lanes) takes four times as long and as much memory per login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def check_password_rules(password: str, confirm: str | None = None) -> None:
    """Raise :class:`InvalidInputError` saying what to change when ``password`` breaks a rule.

    ``confirm``, when given, must repeat the password exactly.
    """
    if len(password) < MIN_LENGTH:
        raise field_error("password", f"use at least {MIN_LENGTH} characters (this one has {len(password)})")
    if len(password) > MAX_LENGTH:
        raise field_error("password", f"use at most {MAX_LENGTH} characters")
    if not password.strip():
        raise field_error("password", "must not be only spaces")
    if confirm is not None and confirm != password:
        raise field_error("password_confirm", "the two passwords differ; type the same one twice")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``; raises :class:`InvalidInputError` if it breaks a rule."""
    check_password_rules(password)
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
