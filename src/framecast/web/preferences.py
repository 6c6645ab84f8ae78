"""A user's Studio preferences: default provider, aspect and concurrency, with platform defaults.

Stored as JSON on the user (``User.preferences``); a missing or no longer valid value (a provider
that was removed) reads as the platform default, so old rows never break a page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.providers import registry
from framecast.providers.base import Aspect
from framecast.web.field_labels import field_error

# Jobs one user's batch keeps in flight at once; a provider's own limit still applies on top.
MAX_CONCURRENCY = 50
DEFAULT_ASPECT = Aspect.LANDSCAPE
VIDEO_ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT)


@dataclass(frozen=True)
class Preferences:
    default_provider: str
    aspect: str
    concurrency: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def defaults(settings: Settings) -> Preferences:
    return Preferences(
        default_provider=settings.default_provider,
        aspect=DEFAULT_ASPECT.value,
        concurrency=max(1, min(settings.genaipro.concurrency, MAX_CONCURRENCY)),
    )


def read_preferences(stored: dict[str, Any] | None, settings: Settings) -> Preferences:
    """``stored`` with every missing or invalid value replaced by the platform default."""
    base = defaults(settings)
    values = stored or {}
    try:
        provider = check_provider(values.get("default_provider"))
    except InvalidInputError:
        provider = base.default_provider
    try:
        aspect = check_aspect(values.get("aspect"))
    except InvalidInputError:
        aspect = base.aspect
    try:
        concurrency = check_concurrency(values.get("concurrency"))
    except InvalidInputError:
        concurrency = base.concurrency
    return Preferences(provider, aspect, concurrency)


def check_provider(value: object) -> str:
    names = registry.provider_names()
    if not isinstance(value, str) or value not in names:
        choices = ", ".join(names)
        raise field_error("default_provider", f"{value!r} is not a provider; choose one of {choices}")
    return value


def check_aspect(value: object) -> str:
    choices = ", ".join(aspect.value for aspect in VIDEO_ASPECTS)
    if not isinstance(value, str):
        raise field_error("aspect", f"choose one of {choices}", shown="Default aspect")
    try:
        aspect = Aspect.parse(value)
    except (InvalidInputError, ValueError):
        raise field_error(
            "aspect", f"{value!r} is not an aspect; choose one of {choices}", shown="Default aspect"
        ) from None
    if aspect not in VIDEO_ASPECTS:
        raise field_error(
            "aspect", f"{value!r} is for images only; choose one of {choices}", shown="Default aspect"
        )
    return aspect.value


def check_concurrency(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise field_error("concurrency", f"a whole number from 1 to {MAX_CONCURRENCY}, got {value!r}")
    return value


def update_preferences(
    db: Database, settings: Settings, user_id: int, changes: dict[str, Any]
) -> Preferences:
    """Apply ``changes`` (any of the three fields) and return the result.

    Raises :class:`InvalidInputError` naming the first bad field; nothing is saved then.
    """
    checks = {"default_provider": check_provider, "aspect": check_aspect, "concurrency": check_concurrency}
    checked = {name: checks[name](value) for name, value in changes.items() if name in checks}
    with db.session() as session:
        user = session.scalar(select(User).where(User.id == user_id))
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        current = read_preferences(user.preferences, settings).to_json()
        merged = {**current, **checked}
        # Assign a new dict: SQLAlchemy does not see changes made inside a JSON value.
        user.preferences = merged
    return read_preferences(merged, settings)
