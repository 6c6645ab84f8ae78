"""Which provider key a user's work runs with: their own stored key, else the platform's.

Users' keys are stored Fernet-encrypted with the platform secret (see ``core/secret.py``); the web
application writes them (``web/security/keys.py``) and both the web application and the job worker
read them through :func:`stored_key`.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.db.accounts import ProviderKey
from framecast.db.session import Database
from framecast.providers import registry


def stored_key(db: Database, fernet: Fernet, owner_id: int, provider: str) -> str | None:
    """The key ``owner_id`` stored for ``provider``, decrypted, or None when they stored none.

    Raises :class:`ConfigurationError` when the stored key cannot be decrypted (the platform secret
    changed since it was stored): silently falling back to the platform's key would bill the platform.
    """
    with db.session() as session:
        encrypted = session.scalar(
            select(ProviderKey.encrypted_key).where(
                ProviderKey.user_id == owner_id, ProviderKey.provider == provider
            )
        )
    if encrypted is None:
        return None
    try:
        return fernet.decrypt(encrypted).decode("utf-8")
    except InvalidToken:
        raise ConfigurationError(
            f"your stored {provider} key cannot be decrypted (the server's secret key changed); "
            "store the key again in Settings"
        ) from None


def platform_key(settings: Settings, provider: str) -> str | None:
    """The key configured in settings for ``provider`` (e.g. ``FRAMECAST_GENAIPRO__API_KEY``), if
    any: where its traits say its key is set (``ProviderTraits.key_setting``)."""
    return registry.platform_key(provider, settings)
