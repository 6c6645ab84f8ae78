"""The ``framecast_session`` cookie: HttpOnly, SameSite=Lax, Path=/, and Secure behind TLS.

``settings.web.secure_cookies`` decides Secure: ``always``, ``never``, or ``auto`` (when the request
came over HTTPS). Behind a TLS-terminating proxy the application sees plain HTTP; ``X-Forwarded-Proto``
is believed only with ``settings.web.trust_forwarded_proto``, because any client can send that header.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from framecast.core.settings import WebSettings
from framecast.web.deps import SESSION_COOKIE


def request_is_https(request: Request, settings: WebSettings) -> bool:
    if settings.trust_forwarded_proto:
        forwarded = request.headers.get("x-forwarded-proto")
        if forwarded:
            # A chain of proxies appends; the first value is what the client used.
            return forwarded.split(",")[0].strip().lower() == "https"
    return request.url.scheme == "https"


def cookie_is_secure(request: Request, settings: WebSettings) -> bool:
    if settings.secure_cookies == "always":
        return True
    if settings.secure_cookies == "never":
        return False
    return request_is_https(request, settings)


def set_session_cookie(response: Response, request: Request, settings: WebSettings, token: str) -> None:
    """Put the session ``token`` in the cookie; it lives as long as the session (``session_days``)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_days * 86400),
        path="/",
        secure=cookie_is_secure(request, settings),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request, settings: WebSettings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=cookie_is_secure(request, settings),
        httponly=True,
        samesite="lax",
    )
