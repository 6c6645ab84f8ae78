"""Web fixtures: the real application (no embedded worker) behind an in-process HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import User
from framecast.web.app import create_app
from framecast.web.context import WebContext
from framecast.web.security.passwords import hash_password
from framecast.web.security.sessions import create_api_token

if TYPE_CHECKING:
    from tests.web.signup_server import StartServer

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, embedded_worker=False)


@pytest.fixture
def web(app: FastAPI) -> WebContext:
    context: WebContext = app.state.web
    return context


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(web: WebContext, email: str, *, admin: bool = False, name: str = "Test User") -> Account:
    """A user with ``PASSWORD`` and a bearer token, created straight in the database."""
    with web.db.session() as session:
        user = User(
            email=email.lower(),
            name=name,
            password_hash=hash_password(PASSWORD),
            is_admin=admin,
            preferences={},
        )
        session.add(user)
        session.flush()
        user_id = user.id
    return Account(user_id, email.lower(), create_api_token(web.db, user_id, days=1))


@pytest.fixture
def alice(web: WebContext) -> Account:
    return make_account(web, "alice@example.com", admin=True, name="Alice")


@pytest.fixture
def bob(web: WebContext) -> Account:
    return make_account(web, "bob@example.com", name="Bob")


@pytest.fixture
def signup_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[StartServer]:
    """``signup_server(signup="open", ...)``: an application whose ``FRAMECAST_WEB__<NAME>``
    variables are set to the keywords (through the environment, so they are validated as in
    production), with an administrator unless ``admin=False``."""
    from tests.web.signup_server import Server

    with ExitStack() as stack:

        def make(*, admin: bool = True, **web: str) -> Server:
            for name, value in web.items():
                monkeypatch.setenv(f"FRAMECAST_WEB__{name.upper()}", value)
            get_settings.cache_clear()
            return Server(stack, admin=admin)

        yield make
