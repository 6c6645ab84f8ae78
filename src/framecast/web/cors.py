"""Cross-origin access for other frontends: ``FRAMECAST_WEB__CORS_ORIGINS``, bearer tokens only.

A page served from a listed origin may call the REST API (``/api/...``) and the media routes
(``/files/...``) with ``Authorization: Bearer <token>``; it reads the answer because the answer carries
``Access-Control-Allow-Origin: <its origin>``. A preflight (``OPTIONS`` with
``Access-Control-Request-Method``) from a listed origin is answered here with the methods and headers
allowed; from any other origin with 403 and no ``Access-Control-*`` header at all. Our own pages are
never affected: they are same-origin.

Cookies never count across origins. ``Access-Control-Allow-Credentials`` is never sent, so a browser
hides the answer to any request that carried cookies, and :func:`cookie_refused` makes the session
cookie authenticate nobody on these routes when a page of another origin sent the request — so a
sibling site (``same-site``: its requests carry our ``SameSite=Lax`` cookie) can neither read nor
act as the visitor, whatever the CSRF token. A link followed to one of these routes (a top-level
navigation) still counts as the user's own visit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from framecast.core.settings import CORS_ORIGINS_VARIABLE

# The routes other origins may call: the REST API, and the media files it links to.
CORS_PATHS = ("/api/", "/files/")
ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
# What a frontend sets: its token, a JSON body, and a byte range of a video. No X-CSRF-Token: that
# header belongs to cookie sessions, which do not count from another origin.
ALLOWED_HEADERS = "Authorization, Content-Type, Range"
# What a frontend may read besides the CORS-safelisted headers: a player's ranges and sizes, a
# download's file name, and how long to wait after a 429.
EXPOSED_HEADERS = "Content-Range, Accept-Ranges, Content-Length, Content-Disposition, Retry-After"
# Seconds a browser may reuse a preflight's answer (Chromium caps it at 7200).
PREFLIGHT_MAX_AGE_S = 600
# Fetch Metadata's word for requests from another origin; "navigate" is a link followed.
_OTHER_SITES = frozenset({"cross-site", "same-site"})
_SHOWN_CHARS = 100


def _shown(origin: str | None) -> str:
    """The origin a request claimed, as a message may show it: quoted ASCII, cut short."""
    text = ascii(origin or "")
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."


def is_cors_path(path: str) -> bool:
    return path.startswith(CORS_PATHS)


def cookie_refused(connection: HTTPConnection, origins: Iterable[str]) -> bool:
    """True when the session cookie must not authenticate this request: it is for a CORS path and a
    page of another origin sent it. Browsers say so in ``Sec-Fetch-Site``; one without Fetch Metadata
    is known by an ``Origin`` among ``origins`` (the frontends allowed to call us)."""
    if connection.scope["type"] != "http" or not is_cors_path(connection.url.path):
        return False
    headers = connection.headers
    site = headers.get("sec-fetch-site", "").lower()
    if site in _OTHER_SITES and headers.get("sec-fetch-mode", "").lower() != "navigate":
        return True
    origin = headers.get("origin")
    return origin is not None and origin in frozenset(origins)


class CorsMiddleware:
    """Answers preflights and adds the CORS headers to the answers of :data:`CORS_PATHS`; with no
    origin listed it does nothing."""

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.origins or not is_cors_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin if origin in self.origins else None
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, allowed, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                # The answer depends on Origin: caches must not give one origin's answer to another.
                answer.add_vary_header("Origin")
                if allowed is not None:
                    answer["Access-Control-Allow-Origin"] = allowed
                    answer["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            await send(message)

        await self.app(scope, receive, with_cors)

    @staticmethod
    async def _preflight(origin: str | None, allowed: str | None, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = [(b"vary", b"Origin")]
        if allowed is None:
            status = 403
            body = json.dumps(
                {
                    "error": {
                        "type": "forbidden",
                        "message": f"requests from the origin {_shown(origin)} are not allowed; an "
                        f"administrator lists the origins of other frontends in {CORS_ORIGINS_VARIABLE}",
                        "details": {},
                    }
                }
            ).encode()
            headers.append((b"content-type", b"application/json"))
        else:
            status, body = 204, b""
            headers += [
                (b"access-control-allow-origin", allowed.encode()),
                (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                (b"access-control-max-age", str(PREFLIGHT_MAX_AGE_S).encode()),
            ]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
