"""A provider's settings named by path (``"genaipro.api_key"``): whether one is set, and the
variable a user sets it with (``FRAMECAST_GENAIPRO__API_KEY``).

Traits name their key and the other settings a provider cannot work without by path, so "does it
need a key, and is one configured" is answered once, here, for every provider.
"""

from __future__ import annotations

from pydantic import SecretStr

from framecast.core.settings import Settings


def variable(path: str) -> str:
    """The environment variable of a settings path: ``tutor.public_base_url`` ->
    ``FRAMECAST_TUTOR__PUBLIC_BASE_URL``."""
    return "FRAMECAST_" + path.upper().replace(".", "__")


def value(settings: Settings, path: str) -> str | None:
    """The setting at ``path`` as text without surrounding spaces, or None when it is unset or blank.

    Raises ``AttributeError`` for a path that names no setting (a mistake in a provider's traits).
    """
    current: object = settings
    for part in path.split("."):
        current = getattr(current, part)
    if current is None:
        return None
    text = current.get_secret_value() if isinstance(current, SecretStr) else str(current)
    return text.strip() or None


def missing(settings: Settings, paths: tuple[str, ...] | list[str]) -> list[str]:
    """The variables of those ``paths`` that are not set, in order."""
    return [variable(path) for path in paths if value(settings, path) is None]
