"""``/api/account``: the caller's own password, provider keys and Studio preferences.

Changing the password needs the current one (a wrong one counts like a failed login, see
``web/security/ratelimit.py``) and ends the caller's other sessions and API tokens; the credential
the request came with keeps working.

Keys are stored Fernet-encrypted and never sent back: listing shows the provider, a hint (the last
four characters of a long key) and when it changed. "Check" reads the provider's quota with the key
just pasted (before it is saved), else the user's stored key, else the platform's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from framecast.core.errors import ErrorCategory, ProviderError
from framecast.providers import registry
from framecast.web.deps import SESSION_COOKIE, Ctx, CurrentCaller, CurrentUser
from framecast.web.field_labels import field_error
from framecast.web.preferences import read_preferences, update_preferences
from framecast.web.provider_access import key_source, user_bundle
from framecast.web.security.accounts import PasswordChange, change_password
from framecast.web.security.keys import (
    StoredKeyInfo,
    check_api_key,
    check_provider,
    delete_key,
    list_keys,
    store_key,
)
from framecast.web.security.ratelimit import client_address

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


class PasswordChangeBody(BaseModel):
    current_password: str
    new_password: str
    new_password_confirm: str


class PasswordChanged(BaseModel):
    # How many of the caller's other browser sessions and API tokens were ended.
    ended_sessions: int
    revoked_tokens: int


class PreferencesBody(BaseModel):
    default_provider: Any = None
    aspect: Any = None
    concurrency: Any = None


@router.post("/api/account/password")
def change_own_password(
    body: PasswordChangeBody, caller: CurrentCaller, context: Ctx, request: Request
) -> PasswordChanged:
    """Change the caller's password. 400 names the field (a wrong current password, a weak or
    mismatched new one), 429 when wrong current passwords must wait. The caller's other sessions
    and API tokens end; the session or token of this request keeps working."""
    via = caller.via
    revoked = change_password(
        context.db,
        context.settings.web,
        caller.user.id,
        PasswordChange(body.current_password, body.new_password, body.new_password_confirm),
        client=client_address(request),
        keep_session=request.cookies.get(SESSION_COOKIE) if via == "cookie" else None,
        keep_token=_request_token(request) if via in ("bearer", "query") else None,
    )
    return PasswordChanged(ended_sessions=revoked.sessions, revoked_tokens=revoked.tokens)


def _request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token")


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
