"""``/api/account``: the caller's own provider keys and Studio preferences.

Keys are stored Fernet-encrypted and never sent back: listing shows the provider, a hint (the last
four characters of a long key) and when it changed. "Check" reads the provider's quota with the
user's key, or with the platform's key when the user stored none.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Response
from pydantic import BaseModel

from framecast.core.errors import InvalidInputError
from framecast.jobs.provider_keys import platform_key
from framecast.providers import registry
from framecast.providers.registry import BuildContext
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.preferences import read_preferences, update_preferences
from framecast.web.security.keys import (
    StoredKeyInfo,
    check_provider,
    delete_key,
    list_keys,
    store_key,
    user_provider_key,
)

router = APIRouter(tags=["account"])


class KeyPublic(BaseModel):
    provider: str
    hint: str
    updated_at: datetime

    @classmethod
    def of(cls, info: StoredKeyInfo) -> KeyPublic:
        return cls(provider=info.provider, hint=info.hint, updated_at=info.updated_at)


class KeyBody(BaseModel):
    api_key: str


class QuotaPublic(BaseModel):
    available: int | None
    used: int | None
    total: int | None


class KeyCheck(BaseModel):
    ok: bool
    quota: QuotaPublic
    # Which key answered: the user's own, or the platform's fallback.
    key: Literal["own", "platform"]


class PreferencesBody(BaseModel):
    default_provider: Any = None
    aspect: Any = None
    concurrency: Any = None


@router.get("/api/account/keys")
def get_keys(user: CurrentUser, context: Ctx) -> list[KeyPublic]:
    return [KeyPublic.of(info) for info in list_keys(context.db, user.id)]


@router.put("/api/account/keys/{provider}")
def put_key(provider: str, body: KeyBody, user: CurrentUser, context: Ctx) -> dict[str, str]:
    """Store (or replace) the caller's key; 400 for a provider that takes no key or an empty key."""
    info = store_key(context.db, context.fernet, user.id, provider, body.api_key)
    return {"provider": info.provider, "hint": info.hint}


@router.delete("/api/account/keys/{provider}", status_code=204)
def remove_key(provider: str, user: CurrentUser, context: Ctx) -> Response:
    check_provider(provider)
    delete_key(context.db, user.id, provider)
    return Response(status_code=204)


@router.post("/api/account/keys/{provider}/check")
async def check_key(provider: str, user: CurrentUser, context: Ctx) -> KeyCheck:
    """Read the quota with the caller's key (else the platform's).

    A provider failure (a wrong key, the service down) reaches the error handler as a
    ``ProviderError`` and answers 502 with the provider's message; no key anywhere answers 400.
    """
    check_provider(provider)
    own = await anyio.to_thread.run_sync(user_provider_key, context.db, context.fernet, user.id, provider)
    key = own or platform_key(context.settings, provider)
    work_dir = Path(context.settings.data_dir) / "work"
    bundle = registry.build(provider, BuildContext(settings=context.settings, work_dir=work_dir, api_key=key))
    try:
        if bundle.quota is None:
            raise InvalidInputError(
                f"provider: {provider} cannot report its quota, so its key cannot be checked"
            )
        quota = await bundle.quota.read_quota()
    finally:
        await bundle.aclose()
    return KeyCheck(
        ok=True,
        quota=QuotaPublic(available=quota.available, used=quota.used, total=quota.total),
        key="own" if own else "platform",
    )


@router.get("/api/account/preferences")
def get_preferences(user: CurrentUser, context: Ctx) -> dict[str, Any]:
    return read_preferences(user.preferences, context.settings).to_json()


@router.put("/api/account/preferences")
def put_preferences(body: PreferencesBody, user: CurrentUser, context: Ctx) -> dict[str, Any]:
    """Change any of ``default_provider``, ``aspect``, ``concurrency``; 400 names the bad field."""
    changes = body.model_dump(exclude_unset=True)
    return update_preferences(context.db, context.settings, user.id, changes).to_json()
