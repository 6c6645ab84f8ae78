"""``page_context``: the visitor's user and CSRF token for page templates."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select

from framecast.core.secret import token_hash
from framecast.db.accounts import WebSession
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE
from framecast.web.pages_context import page_context
from tests.web.conftest import PASSWORD, Account


def probe(app: FastAPI) -> None:
    async def show(request: Request) -> dict[str, Any]:
        found = await page_context(request, request.app.state.web)
        user = found["user"]
        return {"user": user.email if user else None, "csrf_token": found["csrf_token"]}

    app.add_api_route("/probe/page-context", show)


def test_a_cookie_session_gives_the_user_and_its_csrf_token(
    app: FastAPI, client: TestClient, web: WebContext, bob: Account
) -> None:
    probe(app)
    client.post("/login", data={"email": "bob@example.com", "password": PASSWORD}, follow_redirects=False)

    found = client.get("/probe/page-context").json()

    with web.db.session() as session:
        row = session.scalar(
            select(WebSession).where(WebSession.token_hash == token_hash(client.cookies[SESSION_COOKIE]))
        )
        assert row is not None
    assert found == {"user": "bob@example.com", "csrf_token": row.csrf_token}


def test_an_anonymous_visitor_has_neither(app: FastAPI, client: TestClient) -> None:
    probe(app)

    assert client.get("/probe/page-context").json() == {"user": None, "csrf_token": None}


def test_a_bearer_caller_has_no_csrf_token(app: FastAPI, client: TestClient, bob: Account) -> None:
    probe(app)

    found = client.get("/probe/page-context", headers=bob.headers).json()

    assert found == {"user": "bob@example.com", "csrf_token": None}
