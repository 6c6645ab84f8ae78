"""Media links any client can play: Studio files, posters and ZIP parts, Tutor speech and videos.

With a public address configured (``web.public_base_url``, else ``tutor.public_base_url``; see
``links.py``) every media URL the API and the conversation socket answer is absolute and signed::

    https://studio.example.com/files/7/content?exp=1767225600&sig=<43 characters>

``sig`` is an HMAC-SHA256 over the path and ``exp`` (seconds since the epoch), keyed by a key
derived from the platform secret (``core/secret.py``; the secret itself signs nothing), so the link
works with no cookie and no header: a ``<video>``, an ``<audio>`` or a download link on a school's
own site plays it. The link is the permission: whoever holds it may read that one file until
``exp``, which is ``web.media_url_ttl_s`` (1 hour by default) from when it was made, rounded up to
the next :data:`STEP_S` so that a page redrawn within those minutes gets the same link and its
player does not reload. A link whose path, ``exp`` or ``sig`` was changed, or which has expired,
answers 403; the comparison takes the same time wherever the signature differs.

Without a public address the URLs stay paths (``/files/7/content``) and unsigned: the pages of this
server and API clients read them with their cookie or token, and the owner check applies as before.
A signed link is checked wherever it arrives, configured address or not, and a request without
``exp`` and ``sig`` keeps the owner check (``web/deps.py``, ``MediaOwner``).

Signatures are secrets in a URL: ``log_redaction.py`` writes ``sig=***`` in the server's logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from framecast.core.errors import ForbiddenError
from framecast.core.secret import secret_bytes
from framecast.core.settings import Settings
from framecast.web.security.links import public_base_url

EXP = "exp"
SIG = "sig"
# Expiry times are rounded up to this many seconds (or to the TTL, when shorter).
STEP_S = 300
# The fields of a Tutor message (REST or socket) that hold a media path.
MESSAGE_MEDIA_FIELDS = ("audio_url", "video_url")
_PURPOSE = b"framecast media links v1"
_MAX_EXP_DIGITS = 12
_FRESH_LINK = "ask the API for a fresh link"


def media_key(secret: bytes) -> bytes:
    """The signing key: derived from the platform secret, so a leaked link key is not the secret."""
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


class MediaLinks:
    """Builds every media URL (:meth:`url`) and checks signed ones (:meth:`verify`)."""

    def __init__(
        self, key: bytes, *, base_url: str, ttl_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = key
        self.base_url = base_url.rstrip("/")
        self.ttl_s = ttl_s
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaLinks:
        """Raises :class:`ConfigurationError` for a public address that is not http(s)."""
        return cls(
            media_key(secret_bytes(settings)),
            base_url=public_base_url(settings),
            ttl_s=settings.web.media_url_ttl_s,
        )

    @property
    def origins(self) -> list[str]:
        """Where media URLs point other than the page's own origin: the public address's origin."""
        if not self.signs:
            return []
        parts = urlsplit(self.base_url)
        return [f"{parts.scheme}://{parts.netloc}"]

    @property
    def signs(self) -> bool:
        """True when URLs are absolute and signed (a public address is configured)."""
        return bool(self.base_url)

    def url(self, path: str) -> str:
        """The URL a client is given for the media at ``path`` (``/files/7/content``)."""
        if not self.signs:
            return path
        expires = self._expiry()
        return f"{self.base_url}{path}?{EXP}={expires}&{SIG}={self._signature(path, expires)}"

    def message(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A Tutor message's fields with its media paths (``audio_url``, ``video_url``) as
        :meth:`url`; a remote renderer's own URL (not a path of this server) is left as it is."""
        out = dict(fields)
        for name in MESSAGE_MEDIA_FIELDS:
            value = out.get(name)
            if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
                out[name] = self.url(value)
        return out

    @staticmethod
    def is_signed(query: Mapping[str, str]) -> bool:
        """True when a request carries a signature (or part of one) that must be checked."""
        return EXP in query or SIG in query

    def verify(self, path: str, query: Mapping[str, str]) -> None:
        """Accept a signed request for ``path``.

        Raises :class:`ForbiddenError` (403) when ``exp`` or ``sig`` is missing, malformed or does not
        match the path, and when the link has expired.
        """
        exp = query.get(EXP, "")
        sig = query.get(SIG, "")
        well_formed = exp.isascii() and exp.isdigit() and len(exp) <= _MAX_EXP_DIGITS
        expected = self._signature(path, int(exp) if well_formed else 0)
        matches = hmac.compare_digest(sig.encode("utf-8", "replace"), expected.encode("ascii"))
        if not (well_formed and matches):
            raise ForbiddenError(f"this media link was changed or cut short; {_FRESH_LINK}")
        if int(exp) <= self._clock():
            raise ForbiddenError(f"this media link has expired; {_FRESH_LINK}")

    def _expiry(self) -> int:
        step = max(1, min(STEP_S, math.ceil(self.ttl_s)))
        return math.ceil((self._clock() + self.ttl_s) / step) * step

    def _signature(self, path: str, expires: int) -> str:
        message = f"{path}\n{expires}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
