"""Users' own provider keys: validated, Fernet-encrypted at rest, never shown back.

Only the last four characters of a long key are kept in clear (``hint``), so a user can tell which
key is stored. Reading a key goes through :func:`framecast.jobs.provider_keys.stored_key`, the same
function the job worker uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import delete, select

from framecast.core.settings import Settings
from framecast.db.accounts import ProviderKey
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.jobs.provider_keys import platform_key, stored_key
from framecast.providers import registry
from framecast.web.field_labels import field_error

MAX_KEY_LENGTH = 500
# Shorter keys get no hint: four characters of an eight-character key give too much away.
HINT_MIN_KEY_LENGTH = 12


@dataclass(frozen=True)
class StoredKeyInfo:
    provider: str
    hint: str
    updated_at: datetime


def check_provider(provider: str, settings: Settings) -> str:
    """``provider`` if it is a registered provider that takes a key; else :class:`InvalidInputError`."""
    keyed = registry.key_provider_names(settings)
    if provider not in keyed:
        what = "takes no key" if provider in registry.provider_names() else "is not a provider"
        raise field_error(
            "provider", f"{provider!r} {what}; keys can be stored for: {', '.join(keyed) or 'none'}"
        )
    return provider


def check_api_key(api_key: str) -> str:
    """The key without surrounding spaces; :class:`InvalidInputError` when empty or malformed."""
    key = api_key.strip()
    if not key:
        raise field_error("api_key", "paste the key; it is empty")
    if len(key) > MAX_KEY_LENGTH:
        raise field_error("api_key", f"at most {MAX_KEY_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise field_error("api_key", "must not contain spaces, line breaks or control characters")
    return key


def key_hint(key: str) -> str:
    return key[-4:] if len(key) >= HINT_MIN_KEY_LENGTH else ""


def store_key(db: Database, fernet: Fernet, user_id: int, provider: str, api_key: str) -> StoredKeyInfo:
    """Save (or replace) ``user_id``'s key for ``provider``; raises :class:`InvalidInputError`.

    The caller checks ``provider`` first (:func:`check_provider`).
    """
    key = check_api_key(api_key)
    encrypted = fernet.encrypt(key.encode("utf-8"))
    now = utcnow()
    with db.session() as session:
        row = session.scalar(
            select(ProviderKey).where(ProviderKey.user_id == user_id, ProviderKey.provider == provider)
        )
        if row is None:
            row = ProviderKey(user_id=user_id, provider=provider)
            session.add(row)
        row.encrypted_key = encrypted
        row.hint = key_hint(key)
        row.updated_at = now
        session.flush()
        return StoredKeyInfo(provider, row.hint, row.updated_at)


def list_keys(db: Database, user_id: int) -> list[StoredKeyInfo]:
    with db.session() as session:
        rows = session.scalars(
            select(ProviderKey).where(ProviderKey.user_id == user_id).order_by(ProviderKey.provider)
        )
        return [StoredKeyInfo(row.provider, row.hint, row.updated_at) for row in rows]


def delete_key(db: Database, user_id: int, provider: str) -> None:
    with db.session() as session:
        session.execute(
            delete(ProviderKey).where(ProviderKey.user_id == user_id, ProviderKey.provider == provider)
        )


def user_provider_key(db: Database, fernet: Fernet, user_id: int, provider: str) -> str | None:
    """``user_id``'s own key for ``provider``, decrypted, or None; see ``stored_key`` for errors."""
    return stored_key(db, fernet, user_id, provider)


def effective_key(
    db: Database, fernet: Fernet, settings: Settings, user_id: int, provider: str
) -> str | None:
    """The key a call for ``user_id`` uses: theirs if stored, else the platform's, else None."""
    return user_provider_key(db, fernet, user_id, provider) or platform_key(settings, provider)
