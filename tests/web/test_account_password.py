"""``POST /api/account/password``: the current password, a good new one twice; the caller's other
sessions and tokens end, the one in use stays."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from framecast.web.context import WebContext
from framecast.web.security.sessions import create_api_token
from tests.web.conftest import PASSWORD, Account
from tests.web.test_auth_login import csrf_of, log_in

NEW_PASSWORD = "a much better passphrase"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_ATTEMPTS", "3")
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_DELAY_S", "60")
    get_settings.cache_clear()
    return get_settings()


def body(current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None) -> dict[str, str]:
    return {"current_password": current, "new_password": new, "new_password_confirm": confirm or new}


def change(client: TestClient, account: Account, **values: Any) -> Any:
    # Sent as ASCII JSON, so a lone surrogate travels as the \ud800 escape a hostile client sends.
    return client.post(
        "/api/account/password",
        content=json.dumps(body(**values)),
        headers={**account.headers, "Content-Type": "application/json"},
    )


def test_a_bearer_caller_changes_the_password_and_keeps_only_this_token(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    other_token = create_api_token(web.db, bob.user_id, days=1)
    with TestClient(client.app) as browser:
        log_in(browser)

        response = change(client, bob)

        assert response.status_code == 200, response.text
        assert response.json() == {"ended_sessions": 1, "revoked_tokens": 1}
        assert client.get("/api/me", headers=bob.headers).status_code == 200
        assert client.get("/api/me", headers={"Authorization": f"Bearer {other_token}"}).status_code == 401
        assert browser.get("/api/me").status_code == 401
    old = client.post("/api/auth/login", json={"email": bob.email, "password": PASSWORD})
    new = client.post("/api/auth/login", json={"email": bob.email, "password": NEW_PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)


def test_a_browser_session_changes_it_with_its_csrf_token_and_stays_logged_in(
    app: FastAPI, web: WebContext, bob: Account
) -> None:
    with TestClient(app) as browser, TestClient(app) as elsewhere:
        log_in(browser)
        log_in(elsewhere)
        without = browser.post("/api/account/password", json=body())
        response = browser.post(
            "/api/account/password", json=body(), headers={"X-CSRF-Token": csrf_of(web, browser)}
        )

        assert without.status_code == 403
        assert response.status_code == 200, response.text
        assert response.json() == {"ended_sessions": 1, "revoked_tokens": 1}  # elsewhere, and Bob's token
        assert browser.get("/api/me").status_code == 200
        assert elsewhere.get("/api/me").status_code == 401


def test_a_wrong_current_password_is_a_400_naming_it_and_counts_like_a_failed_login(
    client: TestClient, bob: Account
) -> None:
    answers = [change(client, bob, current="not my password") for _ in range(3)]
    limited = change(client, bob)

    for answer in answers:
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == "Current password: this is not your current password"
        assert answer.json()["error"]["details"] == {"field": "current_password"}
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.get("/api/me", headers=bob.headers).status_code == 200


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"new": "aaaaaaaaaa"}, "new_password", "New password: this is one of the most common passwords"),
        ({"new": "zzzzzzzzzzzzzzzz"}, "new_password", "New password: it repeats one character"),
        ({"new": "abcdefghijklmnop"}, "new_password", "New password: it is a run of consecutive"),
        ({"new": "bob@example.com!!"}, "new_password", "New password: it is mostly your email address"),
        ({"new": "short"}, "new_password", "New password: use at least 10 characters"),
        (
            {"confirm": NEW_PASSWORD + "?"},
            "new_password_confirm",
            "New password again: the two passwords differ",
        ),
        ({"new": PASSWORD}, "new_password", "New password: this is your current password"),
        ({"current": "nul\x00"}, "current_password", "Current password: contains a NUL character"),
        ({"new": "a new \ud800 password"}, "new_password", "New password: contains an unpaired surrogate"),
    ],
)
def test_a_bad_new_password_is_a_400_naming_the_field(
    client: TestClient, bob: Account, values: dict[str, str], field: str, message: str
) -> None:
    response = change(client, bob, **values)

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)
    assert response.json()["error"]["details"] == {"field": field}
    assert client.post("/api/auth/login", json={"email": bob.email, "password": PASSWORD}).status_code == 200


def test_changing_the_password_needs_a_login(client: TestClient) -> None:
    assert client.post("/api/account/password", json=body()).status_code == 401
