"""GenAIPro v2's ``callback_url``: where it is, and the token that proves a callback is ours.

The URL is ``<base>/api/callbacks/genaipro/<token>`` with ``base`` from
``FRAMECAST_GENAIPRO__CALLBACK_BASE_URL``, else ``FRAMECAST_WEB__PUBLIC_BASE_URL``; without either,
no callback is asked for. The token is an HMAC of the platform secret, so only a party that was
given the URL can call it. A callback only says "look now": its body is never read for results —
the pollers of this process are woken and read the tasks from the API themselves
(:func:`~framecast.providers.genaipro.tasks.wake_pollers`).
"""

from __future__ import annotations

import hashlib
import hmac

from framecast.core.secret import secret_bytes
from framecast.core.settings import Settings

CALLBACK_PATH = "/api/callbacks/genaipro/"
_PURPOSE = b"framecast-genaipro-callback"


def callback_token(settings: Settings) -> str:
    return hmac.new(secret_bytes(settings), _PURPOSE, hashlib.sha256).hexdigest()


def callback_url(settings: Settings) -> str | None:
    """The ``callback_url`` to send with v2 submissions, or None when no public address is set."""
    base = (settings.genaipro.callback_base_url or settings.web.public_base_url).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        return None
    return f"{base}{CALLBACK_PATH}{callback_token(settings)}"


def token_valid(settings: Settings, token: str) -> bool:
    """Whether ``token`` is this platform's callback token (compared in constant time)."""
    return hmac.compare_digest(token.encode("utf-8", "replace"), callback_token(settings).encode("ascii"))
