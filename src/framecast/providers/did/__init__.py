"""D-ID talks: talking-head videos rendered remotely."""

from __future__ import annotations

from framecast.providers.did.talks import DEFAULT_SOURCE_URL, DIDAvatarProvider

__all__ = ["DEFAULT_SOURCE_URL", "DIDAvatarProvider"]
