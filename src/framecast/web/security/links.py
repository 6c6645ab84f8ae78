"""Links handed to people (invitations, password resets): where they start.

They start with ``web.public_base_url`` (else ``tutor.public_base_url``, the same server's public
address), never with the request's ``Host`` header: a client chooses that header, and a link built
from it could send the invitee, with their new password, to the client's site. With neither set the
link is a path (``/invite/<token>``); the Users page completes it with its own address.
"""

from __future__ import annotations

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings


def public_base_url(settings: Settings) -> str:
    """The configured public address without a trailing slash, or "" when none is set.

    Raises :class:`ConfigurationError` for an address that is not ``http://`` or ``https://``.
    """
    for name, value in (
        ("FRAMECAST_WEB__PUBLIC_BASE_URL", settings.web.public_base_url),
        ("FRAMECAST_TUTOR__PUBLIC_BASE_URL", settings.tutor.public_base_url),
    ):
        base = value.strip().rstrip("/")
        if not base:
            continue
        if not base.startswith(("http://", "https://")):
            raise ConfigurationError(f"{name} must start with https:// (or http://), not {value!r}")
        return base
    return ""


def public_link(settings: Settings, path: str) -> str:
    """``path`` (``/invite/...``) under the public address, or ``path`` alone when none is set."""
    return f"{public_base_url(settings)}{path}"
