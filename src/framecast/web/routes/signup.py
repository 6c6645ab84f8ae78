"""Sign-up: the ``/signup`` page and ``POST /api/users/register``, as ``web.signup`` allows.

Both are thin over ``web/security/signup.py`` (the modes, the invitation check, the limit per client
address and what a duplicate email answers). While sign-up is closed both answer 404 with a message
saying so, and the login page has no link to them. The page, like the other forms of people not
logged in yet, refuses a form the browser marks as sent from another site; it ends logged in, on
the Tutor (:data:`NEW_ACCOUNT_HOME`). The API answers the new account as ``/api/me`` does and a
bearer token as ``/api/auth/login`` does, so a client that registers is logged in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from framecast.core.errors import InvalidInputError, NotFoundError, TooManyAttemptsError
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, authenticate
from framecast.web.routes.auth import (
    AccessToken,
    Me,
    auth_page,
    logged_in,
    me_of,
    needs_setup,
    refuse_cross_site,
)
from framecast.web.security.ratelimit import client_address
from framecast.web.security.sessions import create_api_token_expiring
from framecast.web.security.signup import SIGNUP_CLOSED, Registration, register, signup_enabled

router = APIRouter(tags=["auth"])

FormText = Annotated[str, Form()]
# Where a new account starts: one made here is a learner (a school's sign-up), and ``/`` is the
# Studio, which administrators and the accounts they make land on.
NEW_ACCOUNT_HOME = "/tutor"


class RegisterBody(BaseModel):
    email: str
    name: str
    password: str
    # The page's "Confirm password"; API clients may leave it out.
    confirm_password: str | None = None
    # The invitation code or link, needed when FRAMECAST_WEB__SIGNUP is invite.
    invite: str = ""


class Registered(AccessToken):
    """A bearer token as ``/api/auth/login`` answers it, and the new account as ``/api/me`` does."""

    user: Me


def _form(context: WebContext, values: dict[str, str]) -> dict[str, str]:
    web = context.settings.web
    return {"mode": web.signup, "domain": web.signup_email_domain, **values}


@router.get("/signup", include_in_schema=False)
async def signup_page(request: Request, context: Ctx, invite: Annotated[str, Query()] = "") -> Response:
    if not signup_enabled(context.settings.web):
        raise NotFoundError(SIGNUP_CLOSED)
    if await needs_setup(context):
        return RedirectResponse("/setup", status_code=303)
    if await authenticate(request) is not None:
        return RedirectResponse("/", status_code=303)
    values = _form(context, {"email": "", "name": "", "invite": invite})
    return auth_page(context, request, "signup.html", values)


@router.post("/signup", include_in_schema=False)
def signup(
    request: Request,
    context: Ctx,
    email: FormText = "",
    name: FormText = "",
    password: FormText = "",
    confirm_password: FormText = "",
    invite: FormText = "",
) -> Response:
    """Create the account, log it in and go to the Tutor; the page again with the error (400, 429)."""
    refuse_cross_site(request, context.settings.web.public_base_url)
    values = _form(context, {"email": email, "name": name, "invite": invite})
    try:
        user = register(
            context.db,
            context.settings.web,
            Registration(email, name, password, confirm_password, invite),
            client=client_address(request),
        )
    except TooManyAttemptsError as exc:
        headers = {"Retry-After": str(int(exc.retry_after) + 1)}
        page = {**values, "error": str(exc)}
        return auth_page(context, request, "signup.html", page, status=429, headers=headers)
    except InvalidInputError as exc:
        return auth_page(context, request, "signup.html", {**values, "error": str(exc)}, status=400)
    return logged_in(context, request, user.id, NEW_ACCOUNT_HOME)


@router.post("/api/users/register", status_code=201, responses={404: {"description": "sign-up is closed"}})
def api_register(body: RegisterBody, request: Request, context: Ctx) -> Registered:
    """Create your own account when ``FRAMECAST_WEB__SIGNUP`` allows it (404 while closed) and log
    in: the answer carries a bearer token. 400 names the field at fault, 429 (``Retry-After``) after
    ``FRAMECAST_WEB__SIGNUP_PER_HOUR`` sign-ups from one address."""
    user = register(
        context.db,
        context.settings.web,
        Registration(body.email, body.name, body.password, body.confirm_password, body.invite),
        client=client_address(request),
    )
    token, expires_at = create_api_token_expiring(context.db, user.id, days=context.settings.web.token_days)
    return Registered(access_token=token, expires_at=expires_at, user=me_of(user, context))
