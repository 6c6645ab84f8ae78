"""Password reset links end to end: an admin makes one, the user sets a new password on
``/reset/<token>`` and is logged in; every older session and token of theirs ends."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from framecast.web.deps import SESSION_COOKIE
from tests.web.conftest import PASSWORD, Account
from tests.web.test_auth_login import log_in

HTML = {"Accept": "text/html"}
NEW_PASSWORD = "bob's brand new password"
FORM = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}


def reset_path(client: TestClient, admin: Account, user: Account) -> str:
    response = client.post(f"/api/users/{user.user_id}/reset-link", headers=admin.headers)
    assert response.status_code == 201, response.text
    path: str = response.json()["reset_url"]
    return path


def test_a_user_sets_a_new_password_with_the_link_and_is_logged_in(
    app: FastAPI, client: TestClient, alice: Account, bob: Account
) -> None:
    path = reset_path(client, alice, bob)
    with TestClient(app) as old_browser, TestClient(app) as browser:
        log_in(old_browser)
        page = browser.get(path, headers=HTML)
        assert page.status_code == 200
        assert "bob@example.com" in page.text
        assert f'action="{path}"' in page.text

        done = browser.post(path, data=FORM, follow_redirects=False)

        assert done.status_code == 303
        assert done.headers["location"] == "/"
        assert browser.cookies.get(SESSION_COOKIE)
        assert browser.get("/api/me").json()["email"] == "bob@example.com"
        assert old_browser.get("/api/me").status_code == 401
    assert client.get("/api/me", headers=bob.headers).status_code == 401
    old = client.post("/api/auth/login", json={"email": bob.email, "password": PASSWORD})
    new = client.post("/api/auth/login", json={"email": bob.email, "password": NEW_PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)


def test_a_reset_link_works_once(app: FastAPI, client: TestClient, alice: Account, bob: Account) -> None:
    path = reset_path(client, alice, bob)
    with TestClient(app) as browser:
        assert browser.post(path, data=FORM, follow_redirects=False).status_code == 303
    with TestClient(app) as browser:
        again = browser.post(path, data=FORM, headers=HTML)
        page = browser.get(path, headers=HTML)

    assert again.status_code == 404
    assert page.status_code == 404
    assert "ask an administrator for a new one" in page.text


def test_a_weak_or_mismatched_password_is_shown_on_the_page_and_the_link_stays(
    app: FastAPI, client: TestClient, alice: Account, bob: Account
) -> None:
    path = reset_path(client, alice, bob)
    with TestClient(app) as browser:
        common = browser.post(path, data={"new_password": "iloveyou12", "new_password_confirm": "iloveyou12"})
        differ = browser.post(path, data={**FORM, "new_password_confirm": "something else!"})
        nul = browser.post(path, data={**FORM, "new_password": NEW_PASSWORD + "\x00"})

        assert common.status_code == 400
        assert "New password: this is one of the most common passwords" in common.text
        assert differ.status_code == 400
        assert "New password again: the two passwords differ" in differ.text
        assert nul.status_code == 400
        assert "New password: contains a NUL" in nul.text
        assert SESSION_COOKIE not in browser.cookies
        assert browser.get(path, headers=HTML).status_code == 200


def test_an_unknown_link_is_404(client: TestClient) -> None:
    assert client.get("/reset/made-up-token", headers=HTML).status_code == 404
    assert client.post("/reset/made-up-token", data=FORM).status_code == 404


def test_a_reset_form_from_another_site_is_refused(client: TestClient, alice: Account, bob: Account) -> None:
    path = reset_path(client, alice, bob)

    response = client.post(path, data=FORM, headers={**HTML, "Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert client.get(path, headers=HTML).status_code == 200


def test_a_link_of_an_admin_demoted_meanwhile_no_longer_works(
    client: TestClient, alice: Account, bob: Account
) -> None:
    carol_admin = client.post(
        "/api/users",
        json={
            "email": "carol@example.com",
            "name": "Carol",
            "password": "carol's long password",
            "is_admin": True,
        },
        headers=alice.headers,
    ).json()
    token = client.post(
        "/api/auth/login", json={"email": "carol@example.com", "password": "carol's long password"}
    ).json()["access_token"]
    path = client.post(
        f"/api/users/{bob.user_id}/reset-link", headers={"Authorization": f"Bearer {token}"}
    ).json()["reset_url"]

    client.patch(f"/api/users/{carol_admin['id']}", json={"is_admin": False}, headers=alice.headers)

    assert client.get(path, headers=HTML).status_code == 404
