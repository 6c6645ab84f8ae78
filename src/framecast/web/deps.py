"""Request dependencies as short ``Annotated`` aliases: ``Ctx``, ``CurrentUser``, ``AdminUser``.

A caller is authenticated by, in order: ``Authorization: Bearer <token>`` (from
``POST /api/auth/login``), ``?token=<token>`` (for EventSource and WebSocket clients that cannot set
headers: an API token, or on ``/api/events`` and ``/ws/conversation/...`` a one-use stream token from
``POST /api/auth/stream-token``), or the ``framecast_session`` cookie. A cookie-authenticated request
with an unsafe method must also carry the session's CSRF token, as the ``X-CSRF-Token`` header or a
``csrf_token`` form field. The cookie counts for nothing on the REST and media routes when a page of
another origin sent the request (``web/cors.py``): other frontends use bearer tokens.
``csrf_token`` form field. Media routes take ``MediaOwner`` instead: a signed link (``?exp=&sig=``)
needs no credentials at all.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy import select
from starlette.requests import HTTPConnection

from framecast.core.errors import ForbiddenError, NotAuthenticatedError
from framecast.core.secret import token_hash
from framecast.db.accounts import ApiToken, User, WebSession
from framecast.db.base import utcnow
from framecast.web.context import WebContext
from framecast.web.cors import cookie_refused
from framecast.web.security.sessions import accepts_stream_token, claim_stream_token

SESSION_COOKIE = "framecast_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_context(request: HTTPConnection) -> WebContext:
    context: WebContext = request.app.state.web
    return context


Ctx = Annotated[WebContext, Depends(get_context)]


@dataclass(frozen=True)
class Caller:
    user: User
    via: str  # "bearer" | "query" | "stream" | "cookie"
    csrf_token: str | None = None


def _lookup(context: WebContext, token: str, *, cookie: bool) -> tuple[User, str | None] | None:
    digest = token_hash(token)
    now = utcnow()
    with context.db.session() as session:
        if cookie:
            row = session.scalar(select(WebSession).where(WebSession.token_hash == digest))
            csrf = row.csrf_token if row is not None else None
        else:
            row_token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
            row = row_token  # type: ignore[assignment]
            csrf = None
        if row is None or row.expires_at <= now:
            return None
        user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        session.expunge(user)
        return user, csrf


async def authenticate(request: HTTPConnection, *, cookie: bool = True) -> Caller | None:
    """The caller of a request or a WebSocket handshake, or None when it carries no valid
    credentials. ``cookie=False`` ignores the session cookie (a cross-site WebSocket handshake)."""
    context = get_context(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = await anyio.to_thread.run_sync(lambda: _lookup(context, header[7:].strip(), cookie=False))
        return Caller(found[0], "bearer") if found else None
    query_token = request.query_params.get("token")
    if query_token:
        found = await anyio.to_thread.run_sync(lambda: _lookup(context, query_token, cookie=False))
        if found is None and accepts_stream_token(request.url.path):
            # A one-use stream token (POST /api/auth/stream-token), only on the event and socket paths.
            user = await anyio.to_thread.run_sync(claim_stream_token, context.db, query_token)
            return Caller(user, "stream") if user is not None else None
        return Caller(found[0], "query") if found else None
    if cookie and cookie_refused(request, context.settings.web.cors_origins):
        cookie = False
    session_cookie = request.cookies.get(SESSION_COOKIE) if cookie else None
    if session_cookie:
        found = await anyio.to_thread.run_sync(lambda: _lookup(context, session_cookie, cookie=True))
        return Caller(found[0], "cookie", found[1]) if found else None
    return None


async def _check_csrf(request: Request, caller: Caller) -> None:
    if caller.via != "cookie" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not caller.csrf_token or not hmac.compare_digest(sent, caller.csrf_token):
        raise ForbiddenError("missing or wrong CSRF token; reload the page and try again")


async def current_caller(request: Request) -> Caller:
    # Looked up already when the request has a body (``web/body_limits.py`` checks before reading it).
    found = getattr(request.state, "caller", None)
    caller = found if isinstance(found, Caller) else await authenticate(request)
    if caller is None:
        raise NotAuthenticatedError("log in first")
    await _check_csrf(request, caller)
    request.state.caller = caller
    return caller


async def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> User:
    return caller.user


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise ForbiddenError("only an administrator can do this")
    return user


async def media_owner(request: Request) -> int | None:
    """Whose media a media route may answer: the caller's id, or None for a signed link
    (``web/security/media_links.py``), which is its own permission and needs no cookie or header.

    Raises :class:`ForbiddenError` (403) for a changed or expired link, and
    :class:`NotAuthenticatedError` (401) for an unsigned request without credentials.
    """
    links = get_context(request).media_links
    if links.is_signed(request.query_params):
        links.verify(request.url.path, request.query_params)
        return None
    caller = await current_caller(request)
    return caller.user.id


CurrentCaller = Annotated[Caller, Depends(current_caller)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
# The owner a media file must have, or None: the request is a valid signed link.
MediaOwner = Annotated[int | None, Depends(media_owner)]
