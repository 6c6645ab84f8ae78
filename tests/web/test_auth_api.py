"""Bearer tokens for API clients: login, logout, expiry, ``?token=``, disabled users, ``/api/me``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from framecast.core.secret import token_hash
from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import ApiToken, User
from framecast.db.base import utcnow
from framecast.web.context import WebContext
from framecast.web.security.sessions import create_api_token
from tests.web.conftest import PASSWORD, Account


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_ATTEMPTS", "2")
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_DELAY_S", "60")
    monkeypatch.setenv("FRAMECAST_WEB__TOKEN_DAYS", "3")
    get_settings.cache_clear()
    return get_settings()


def api_login(client: TestClient, email: str = "bob@example.com", password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_login_answers_a_bearer_token_that_works(client: TestClient, web: WebContext, bob: Account) -> None:
    body = api_login(client, email="  BOB@example.com ")

    assert body["token_type"] == "bearer"
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=2.9) < expires_at - utcnow() <= timedelta(days=3)
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == bob.user_id
    with web.db.session() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert token_hash(body["access_token"]) in stored
    assert body["access_token"] not in stored  # only the hash is kept


def test_me_shows_the_account_and_its_preferences(client: TestClient, alice: Account) -> None:
    me = client.get("/api/me", headers=alice.headers).json()

    assert me == {
        "id": alice.user_id,
        "email": "alice@example.com",
        "name": "Alice",
        "is_admin": True,
        "role": "learner",
        "preferences": {"default_provider": "offline", "aspect": "landscape", "concurrency": 10},
    }


def test_a_wrong_password_is_401_with_a_message(client: TestClient, bob: Account) -> None:
    response = client.post("/api/auth/login", json={"email": "bob@example.com", "password": "wrong one!!"})

    assert response.status_code == 401
    assert response.json()["error"] == {
        "type": "not_authenticated",
        "message": "wrong email or password",
        "details": {},
    }


def test_too_many_failures_are_429_with_retry_after(client: TestClient, bob: Account) -> None:
    for _ in range(2):
        client.post("/api/auth/login", json={"email": "bob@example.com", "password": "wrong one!!"})

    response = client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD})

    assert response.status_code == 429
    assert response.json()["error"]["type"] == "too_many_attempts"
    assert 0 < int(response.headers["Retry-After"]) <= 901


def test_a_missing_field_names_it(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"email": "bob@example.com"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"].startswith("Password: ")  # the label, not the field name
    assert error["details"]["problems"][0]["field"] == "password"


def test_no_credentials_and_a_bad_token_are_401(client: TestClient) -> None:
    none = client.get("/api/me")
    bad = client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})

    assert none.status_code == 401
    assert none.json()["error"]["type"] == "not_authenticated"
    assert bad.status_code == 401


def test_an_expired_token_is_refused(client: TestClient, web: WebContext, bob: Account) -> None:
    expired = create_api_token(web.db, bob.user_id, days=-0.001)

    response = client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})

    assert response.status_code == 401


def test_the_token_also_works_as_a_query_parameter_for_get(client: TestClient, bob: Account) -> None:
    response = client.get("/api/me", params={"token": bob.token})

    assert response.status_code == 200
    assert response.json()["email"] == "bob@example.com"


def test_logout_revokes_the_token_it_was_called_with(client: TestClient, bob: Account) -> None:
    other = api_login(client)["access_token"]

    response = client.post("/api/auth/logout", headers=bob.headers)

    assert response.status_code == 204
    assert client.get("/api/me", headers=bob.headers).status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_logout_without_credentials_is_401(client: TestClient) -> None:
    assert client.post("/api/auth/logout").status_code == 401


def test_a_disabled_user_can_neither_log_in_nor_use_a_token(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    with web.db.session() as session:
        user = session.get(User, bob.user_id)
        assert user is not None
        user.disabled = True

    login = client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    token = client.get("/api/me", headers=bob.headers)

    assert login.status_code == 401
    assert "disabled" in login.json()["error"]["message"]
    assert token.status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"email": "bob\\u0000@example.com", "password": "x"}', "Email: contains a NUL character"),
        ('{"email": "bob\\ud800@example.com", "password": "x"}', "Email: contains an unpaired surrogate"),
        ('{"email": "bob@example.com", "password": "x\\u0000"}', "Password: contains a NUL character"),
    ],
)
def test_login_text_that_cannot_be_stored_is_a_400_naming_the_field(
    client: TestClient, bob: Account, body: str, message: str
) -> None:
    response = client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)
