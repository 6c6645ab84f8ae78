"""Logging in and out: first-run setup, the login page, invitations, password reset links, and
bearer and stream tokens for the API.

Pages (``/setup``, ``/login``, ``/invite/<token>``, ``/reset/<token>``; ``/signup`` is in
``signup.py``) answer HTML and set the
session cookie; the API (``/api/auth/login``) answers a bearer token. Both share one login check with
one rate limit (see ``web/security/ratelimit.py``), keyed on the request's client address: the TCP
peer, or what a proxy named in ``web.forwarded_allow_ips`` forwarded (``framecast serve``). There is
no default account: until the first admin exists, ``/login`` sends everyone to ``/setup``, and
``/setup`` answers 404 for good once anyone exists.

The four public forms refuse a request the browser marks as cross-site (login CSRF: a hostile page
must not log a visitor into an account of its choosing). ``Sec-Fetch-Site`` is used rather than
comparing ``Origin`` with ``Host`` because a reverse proxy often rewrites ``Host``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from framecast.core.errors import (
    ForbiddenError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    TooManyAttemptsError,
)
from framecast.db.accounts import User
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE, Ctx, CurrentCaller, CurrentUser, authenticate
from framecast.web.preferences import read_preferences
from framecast.web.security.accounts import NewUser, any_user_exists, check_login, create_user
from framecast.web.security.cookies import clear_session_cookie, set_session_cookie
from framecast.web.security.invites import accept_invite, find_invite
from framecast.web.security.passwords import MIN_LENGTH, check_password_rules
from framecast.web.security.ratelimit import client_address
from framecast.web.security.resets import find_reset, use_reset_link
from framecast.web.security.sessions import (
    create_api_token_expiring,
    create_stream_token,
    create_web_session,
    delete_web_session,
    revoke_api_token,
)

router = APIRouter(tags=["auth"])

FormText = Annotated[str, Form()]
NextForm = Annotated[str, Form(alias="next")]
NextQuery = Annotated[str, Query(alias="next")]


class LoginBody(BaseModel):
    email: str
    password: str


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime


class StreamTokenPublic(BaseModel):
    """A one-use token for ``?token=`` on ``/api/events`` or ``/ws/conversation/{id}``."""

    token: str
    expires_at: datetime


class Me(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool
    # "learner" or "teacher" (``db.accounts.Role``): a teacher has classes on /classes.
    role: str
    preferences: dict[str, Any]


async def needs_setup(context: WebContext) -> bool:
    """True while no account exists: every page should lead to ``/setup`` then."""
    return not await anyio.to_thread.run_sync(any_user_exists, context.db)


def safe_next(value: str | None) -> str:
    """``value`` if it is a path on this site, else ``/``: ``next`` must never lead elsewhere.

    Refused: absolute URLs, scheme-relative ``//host``, backslashes (browsers read ``/\\host`` as
    ``//host``) and control characters (browsers drop tabs and newlines, turning ``/\\t/host`` into
    ``//host``).
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(unicodedata.category(ch).startswith("C") for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def refuse_cross_site(request: Request, public_base_url: str = "") -> None:
    """Raise :class:`ForbiddenError` when the form was sent from another site: the browser says so
    in ``Sec-Fetch-Site``, or, from a browser without Fetch Metadata, its ``Origin`` is not this
    server (the host it was asked for, or ``public_base_url``; ``null`` is no origin of ours)."""
    site = request.headers.get("sec-fetch-site", "").lower()
    origin = request.headers.get("origin")
    if site == "cross-site" or (
        not site and origin is not None and not _own_origin(request, origin, public_base_url)
    ):
        raise ForbiddenError(
            "this form was sent from another site; open the page on this server and try again"
        )


def _own_origin(request: Request, origin: str, public_base_url: str) -> bool:
    """Whether ``origin`` names this server: the host (and port) the request was sent to, or the
    public address. The scheme is not compared: behind a proxy that ends TLS, the browser's
    ``https`` origin reaches us over ``http``."""
    claimed = urlsplit(origin.strip()).netloc.lower()
    own = {request.headers.get("host", "").lower(), urlsplit(public_base_url).netloc.lower()}
    return bool(claimed) and claimed in own


def auth_page(
    context: WebContext,
    request: Request,
    template: str,
    values: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """One of the pages for people not logged in yet (setup, login, invitation, reset, sign-up)."""
    page = {
        "user": None,
        "csrf_token": None,
        "error": None,
        "min_length": MIN_LENGTH,
        # The login page links to the sign-up page unless sign-up is closed.
        "signup": context.settings.web.signup,
        **values,
    }
    response: HTMLResponse = context.templates.TemplateResponse(
        request, template, page, status_code=status, headers=headers
    )
    return response


def logged_in(context: WebContext, request: Request, user_id: int, target: str) -> RedirectResponse:
    """A redirect to ``target`` that carries a new session cookie (any previous session ends)."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        delete_web_session(context.db, previous)
    token, _ = create_web_session(context.db, user_id, days=context.settings.web.session_days)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, context.settings.web, token)
    return response


# --- first-run setup -------------------------------------------------------------------------------


@router.get("/setup", include_in_schema=False)
async def setup_page(request: Request, context: Ctx) -> Response:
    if not await needs_setup(context):
        raise NotFoundError("setup is done: an administrator exists already; log in instead")
    return auth_page(context, request, "setup.html", {"email": "", "name": ""})


@router.post("/setup", include_in_schema=False)
def setup(
    request: Request,
    context: Ctx,
    email: FormText = "",
    name: FormText = "",
    password: FormText = "",
    password_confirm: FormText = "",
) -> Response:
    """Create the first administrator and log them in; 404 once any account exists."""
    refuse_cross_site(request, context.settings.web.public_base_url)
    if any_user_exists(context.db):
        raise NotFoundError("setup is done: an administrator exists already; log in instead")
    try:
        check_password_rules(password, password_confirm, email=email, name=name)
        user = create_user(context.db, NewUser(email, name, password, is_admin=True), only_if_first=True)
    except InvalidInputError as exc:
        values = {"email": email, "name": name, "error": str(exc)}
        return auth_page(context, request, "setup.html", values, status=400)
    return logged_in(context, request, user.id, "/")


# --- login and logout (pages) ----------------------------------------------------------------------


@router.get("/login", include_in_schema=False)
async def login_page(request: Request, context: Ctx, next_path: NextQuery = "/") -> Response:
    if await needs_setup(context):
        return RedirectResponse("/setup", status_code=303)
    target = safe_next(next_path)
    if await authenticate(request) is not None:
        return RedirectResponse(target, status_code=303)
    return auth_page(context, request, "login.html", {"next": target, "email": ""})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    context: Ctx,
    email: FormText = "",
    password: FormText = "",
    next_path: NextForm = "/",
) -> Response:
    """Log in and go to ``next`` (a local path only); 400 page on a wrong login, 429 when limited."""
    refuse_cross_site(request, context.settings.web.public_base_url)
    target = safe_next(next_path)
    values = {"next": target, "email": email}
    try:
        user = check_login(
            context.db, context.settings.web, email=email, password=password, client=client_address(request)
        )
    except TooManyAttemptsError as exc:
        headers = {"Retry-After": str(int(exc.retry_after) + 1)}
        return auth_page(
            context, request, "login.html", {**values, "error": str(exc)}, status=429, headers=headers
        )
    except (NotAuthenticatedError, InvalidInputError) as exc:
        return auth_page(context, request, "login.html", {**values, "error": str(exc)}, status=400)
    return logged_in(context, request, user.id, target)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _: CurrentCaller, context: Ctx) -> Response:
    """End the browser session (the form carries ``csrf_token``) and go to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        delete_web_session(context.db, token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request, context.settings.web)
    return response


# --- invitations -----------------------------------------------------------------------------------


@router.get("/invite/{token}", include_in_schema=False)
def invite_page(token: str, request: Request, context: Ctx) -> Response:
    invite = find_invite(context.db, token)
    return auth_page(context, request, "invite.html", {"invite": invite, "token": token})


@router.post("/invite/{token}", include_in_schema=False)
def accept(
    token: str,
    request: Request,
    context: Ctx,
    password: FormText = "",
    password_confirm: FormText = "",
) -> Response:
    """Create the invited account with the chosen password, log it in, go to the Studio."""
    refuse_cross_site(request, context.settings.web.public_base_url)
    invite = find_invite(context.db, token)
    try:
        user = accept_invite(context.db, token, password, password_confirm)
    except InvalidInputError as exc:
        values = {"invite": invite, "token": token, "error": str(exc)}
        return auth_page(context, request, "invite.html", values, status=400)
    return logged_in(context, request, user.id, "/")


# --- password reset links --------------------------------------------------------------------------


@router.get("/reset/{token}", include_in_schema=False)
def reset_page(token: str, request: Request, context: Ctx) -> Response:
    reset = find_reset(context.db, token)
    return auth_page(context, request, "reset_password.html", {"reset": reset, "token": token})


@router.post("/reset/{token}", include_in_schema=False)
def reset_password(
    token: str,
    request: Request,
    context: Ctx,
    new_password: FormText = "",
    new_password_confirm: FormText = "",
) -> Response:
    """Set the new password (every session and token of the account ends), log in, go to the Studio."""
    refuse_cross_site(request, context.settings.web.public_base_url)
    reset = find_reset(context.db, token)
    try:
        user = use_reset_link(context.db, token, new_password, new_password_confirm)
    except InvalidInputError as exc:
        values = {"reset": reset, "token": token, "error": str(exc)}
        return auth_page(context, request, "reset_password.html", values, status=400)
    return logged_in(context, request, user.id, "/")


# --- API -------------------------------------------------------------------------------------------


@router.post("/api/auth/login")
def api_login(body: LoginBody, request: Request, context: Ctx) -> AccessToken:
    """A bearer token for ``Authorization: Bearer <token>`` (or ``?token=``); 401 wrong, 429 limited."""
    user = check_login(
        context.db,
        context.settings.web,
        email=body.email,
        password=body.password,
        client=client_address(request),
    )
    token, expires_at = create_api_token_expiring(context.db, user.id, days=context.settings.web.token_days)
    return AccessToken(access_token=token, expires_at=expires_at)


@router.post("/api/auth/stream-token")
def stream_token(caller: CurrentCaller, context: Ctx) -> StreamTokenPublic:
    """A token for one EventSource or WebSocket connection: valid 60 seconds, used up by the first
    request, accepted only as ``?token=`` on ``/api/events`` and ``/ws/conversation/{id}``. Ask for a
    new one before each (re)connection; unlike an API token in a URL, a logged one is worthless."""
    token, expires_at = create_stream_token(context.db, caller.user.id)
    return StreamTokenPublic(token=token, expires_at=expires_at)


@router.post("/api/auth/logout", status_code=204)
def api_logout(request: Request, caller: CurrentCaller, context: Ctx) -> Response:
    """Revoke the credential this request used: the bearer or ``?token=`` token, or the cookie session."""
    response = Response(status_code=204)
    if caller.via == "bearer":
        revoke_api_token(context.db, request.headers["authorization"][7:].strip())
    elif caller.via == "query":
        revoke_api_token(context.db, request.query_params["token"])
    else:
        delete_web_session(context.db, request.cookies[SESSION_COOKIE])
        clear_session_cookie(response, request, context.settings.web)
    return response


@router.get("/api/me")
def me(user: CurrentUser, context: Ctx) -> Me:
    return me_of(user, context)


def me_of(user: User, context: WebContext) -> Me:
    """What ``/api/me`` answers for ``user``."""
    preferences = read_preferences(user.preferences, context.settings).to_json()
    return Me(
        id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        role=user.role,
        preferences=preferences,
    )
