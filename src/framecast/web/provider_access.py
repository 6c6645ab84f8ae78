"""The one way a web request reaches a provider for its user: with the user's own stored key, else
the platform's key from settings (the same rule the job worker follows).

Every route that reads a quota, a history or checks a key goes through :func:`user_bundle`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import anyio

from framecast.jobs.provider_keys import platform_key, stored_key
from framecast.providers import registry
from framecast.providers.base import Quota
from framecast.providers.registry import BuildContext, ProviderBundle
from framecast.web.context import WebContext

KeySource = Literal["own", "platform", "none"]


def key_source(context: WebContext, user_id: int, provider: str) -> KeySource:
    """Whose key a call for ``user_id`` would use. Raises ``ConfigurationError`` when the user's
    stored key no longer decrypts (the platform's must not be used silently instead)."""
    if stored_key(context.db, context.fernet, user_id, provider) is not None:
        return "own"
    return "platform" if platform_key(context.settings, provider) is not None else "none"


@asynccontextmanager
async def user_bundle(
    context: WebContext, user_id: int, provider: str, *, api_key: str | None = None
) -> AsyncIterator[ProviderBundle]:
    """The provider built with ``api_key`` when given (a key being checked before it is saved),
    else the user's stored key, else (None) the platform's; closed on leaving.

    Raises ``ConfigurationError`` for an unknown provider or a stored key that cannot be decrypted.
    """
    key = api_key
    if key is None:
        key = await anyio.to_thread.run_sync(stored_key, context.db, context.fernet, user_id, provider)
    build = BuildContext(
        settings=context.settings, work_dir=Path(context.settings.data_dir) / "work", api_key=key
    )
    bundle = await anyio.to_thread.run_sync(registry.build, provider, build)
    try:
        yield bundle
    finally:
        await bundle.aclose()


async def read_user_quota(
    context: WebContext, user_id: int, provider: str, *, api_key: str | None = None
) -> Quota | None:
    """The provider's quota as ``user_id`` sees it; None when the provider reports none.

    Raises what the provider raises (``ProviderError``, ``ConfigurationError`` without any key).
    """
    async with user_bundle(context, user_id, provider, api_key=api_key) as bundle:
        if bundle.quota is None:
            return None
        return await bundle.quota.read_quota()
