"""An application with the sign-up settings a test chooses (``signup_server`` in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from framecast.core.settings import get_settings
from framecast.db.accounts import User
from framecast.web.app import create_app
from framecast.web.context import WebContext
from tests.web.conftest import Account, make_account

PASSWORD = "a long signup passphrase"


class Server:
    """The application with some sign-up settings, an administrator, and a client per address."""

    def __init__(self, stack: ExitStack, *, admin: bool) -> None:
        self.app = create_app(get_settings(), embedded_worker=False)
        self.web: WebContext = self.app.state.web
        self._stack = stack
        self.client = self.client_from("testclient")
        self.admin: Account | None = (
            make_account(self.web, "alice@example.com", admin=True) if admin else None
        )

    def client_from(self, address: str) -> TestClient:
        return self._stack.enter_context(TestClient(self.app, client=(address, 50000)))

    def register(self, client: TestClient | None = None, **body: Any) -> httpx.Response:
        fields = {"email": "lena@example.com", "name": "Lena", "password": PASSWORD, **body}
        return (client or self.client).post("/api/users/register", json=fields)

    def users(self) -> int:
        with self.web.db.session() as session:
            return int(session.scalar(select(func.count(User.id))) or 0)


# ``signup_server(signup="open", signup_email_domain=..., admin=True)``
StartServer = Callable[..., Server]
