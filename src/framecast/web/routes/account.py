"""``/api/account``: the caller's own provider keys and Studio preferences.

Keys are stored Fernet-encrypted and never sent back: listing shows the provider, a hint (the last
four characters of a long key) and when it changed. "Check" reads the provider's quota with the key
just pasted (before it is saved), else the user's stored key, else the platform's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Response
from pydantic import BaseModel

from framecast.core.errors import ErrorCategory, ProviderError
from framecast.providers import registry
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.field_labels import field_error
from framecast.web.preferences import read_preferences, update_preferences
from framecast.web.provider_access import key_source, user_bundle
from framecast.web.security.keys import (
    StoredKeyInfo,
    check_api_key,
    check_provider,
    delete_key,
    list_keys,
    store_key,
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


class KeyCheckBody(BaseModel):
    # A key to check before saving it; without it the stored key (else the platform's) is checked.
    api_key: str | None = None


class KeyCheck(BaseModel):
    ok: bool
    quota: QuotaPublic
    # Which key answered: the one pasted with the request, the user's own, or the platform's.
    key: Literal["pasted", "own", "platform"]


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
    check_provider(provider, context.settings)
    info = store_key(context.db, context.fernet, user.id, provider, body.api_key)
    return {"provider": info.provider, "hint": info.hint}


@router.delete("/api/account/keys/{provider}", status_code=204)
def remove_key(provider: str, user: CurrentUser, context: Ctx) -> Response:
    check_provider(provider, context.settings)
    delete_key(context.db, user.id, provider)
    return Response(status_code=204)


@router.post("/api/account/keys/{provider}/check")
async def check_key(
    provider: str, user: CurrentUser, context: Ctx, body: KeyCheckBody | None = None
) -> KeyCheck:
    """Read the quota with ``api_key`` when given (a key pasted but not saved yet), else with the
    caller's stored key, else the platform's; nothing is stored.

    A pasted key the provider refuses answers 400 naming the key; another provider failure (a
    wrong stored key, the service down) reaches the error handler as a ``ProviderError`` and
    answers 502 with the provider's message; no key anywhere answers 400.
    """
    check_provider(provider, context.settings)
    pasted = check_api_key(body.api_key) if body is not None and body.api_key is not None else None
    if pasted is not None:
        source: Literal["own", "platform", "pasted"] = "pasted"
    else:
        found = await anyio.to_thread.run_sync(key_source, context, user.id, provider)
        if found == "none":
            raise field_error(
                "api_key", f"no {registry.label(provider, context.settings)} key yet; paste one to check it"
            )
        source = found
    async with user_bundle(context, user.id, provider, api_key=pasted) as bundle:
        if bundle.quota is None:
            raise field_error("provider", f"{provider} cannot report its quota, so its key cannot be checked")
        try:
            quota = await bundle.quota.read_quota()
        except ProviderError as exc:
            if pasted is None or exc.category is not ErrorCategory.AUTH:
                raise
            # The pasted key itself was refused: say so about that key, not about settings.
            label = registry.label(provider, context.settings)
            raise field_error(
                "api_key",
                f"{label} refused this key (HTTP {exc.status_code or 401}); check that it was pasted whole",
            ) from None
    return KeyCheck(
        ok=True,
        quota=QuotaPublic(available=quota.available, used=quota.used, total=quota.total),
        key=source,
    )


@router.get("/api/account/preferences")
def get_preferences(user: CurrentUser, context: Ctx) -> dict[str, Any]:
    return read_preferences(user.preferences, context.settings).to_json()


@router.put("/api/account/preferences")
def put_preferences(body: PreferencesBody, user: CurrentUser, context: Ctx) -> dict[str, Any]:
    """Change any of ``default_provider``, ``aspect``, ``concurrency``; 400 names the bad field."""
    changes = body.model_dump(exclude_unset=True)
    return update_preferences(context.db, context.settings, user.id, changes).to_json()
