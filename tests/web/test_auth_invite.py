"""Invitations end to end: an admin invites, the invitee picks a password and is logged in."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from framecast.db.accounts import Invite
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE
from framecast.web.security.invites import create_invite
from tests.web.conftest import Account

HTML = {"Accept": "text/html"}
NEW_PASSWORD = "a brand new password"


def invite(
    client: TestClient, admin: Account, email: str = "carol@example.com", is_admin: bool = False
) -> str:
    response = client.post(
        "/api/users/invites",
        json={"email": email, "name": "Carol", "is_admin": is_admin},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    return urlsplit(response.json()["invite_url"]).path


def test_an_invitee_sets_a_password_is_logged_in_and_can_log_in_again(
    client: TestClient, alice: Account
) -> None:
    path = invite(client, alice)

    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    assert "carol@example.com" in page.text
    assert f'action="{path}"' in page.text

    accepted = client.post(
        path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/"
    assert client.cookies.get(SESSION_COOKIE)
    me = client.get("/api/me").json()
    assert (me["email"], me["name"], me["is_admin"]) == ("carol@example.com", "Carol", False)

    client.cookies.clear()
    login = client.post("/api/auth/login", json={"email": "carol@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 200


def test_an_invitation_works_only_once(client: TestClient, alice: Account) -> None:
    path = invite(client, alice)
    form = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert client.post(path, data=form, follow_redirects=False).status_code == 303
    client.cookies.clear()

    again = client.post(path, data=form, headers=HTML)
    page = client.get(path, headers=HTML)

    assert again.status_code == 404
    assert page.status_code == 404
    assert "ask for a new one" in page.text


def test_an_admin_invitation_makes_an_admin(client: TestClient, alice: Account) -> None:
    path = invite(client, alice, is_admin=True)
    client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert client.get("/api/me").json()["is_admin"] is True


def test_a_weak_or_mismatched_password_keeps_the_link_usable(client: TestClient, alice: Account) -> None:
    path = invite(client, alice)

    weak = client.post(path, data={"password": "short", "password_confirm": "short"})
    differ = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": "something else"})

    assert weak.status_code == 400
    assert "at least 10 characters" in weak.text
    assert differ.status_code == 400
    assert "the two passwords differ" in differ.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get(path, headers=HTML).status_code == 200


def test_an_expired_or_unknown_link_is_404(client: TestClient, web: WebContext, alice: Account) -> None:
    token, _ = create_invite(
        web.db, email="late@example.com", name="Late", is_admin=False, invited_by=alice.user_id, days=-1
    )

    assert client.get(f"/invite/{token}", headers=HTML).status_code == 404
    assert client.get("/invite/made-up-token", headers=HTML).status_code == 404
    assert client.post("/invite/made-up-token", data={"password": NEW_PASSWORD}).status_code == 404


def test_only_the_hash_of_the_invitation_token_is_stored(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    token = invite(client, alice).rsplit("/", 1)[-1]

    with web.db.session() as session:
        hashes = session.scalars(select(Invite.token_hash)).all()
    assert len(hashes) == 1
    assert token not in hashes


def test_an_email_that_got_an_account_meanwhile_is_named(
    client: TestClient, alice: Account, bob: Account, web: WebContext
) -> None:
    token, _ = create_invite(
        web.db, email="dave@example.com", name="Dave", is_admin=False, invited_by=alice.user_id
    )
    client.post(
        "/api/users",
        json={"email": "dave@example.com", "name": "Dave", "password": NEW_PASSWORD},
        headers=alice.headers,
    )

    response = client.post(
        f"/invite/{token}", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert "an account with dave@example.com exists already" in response.text


def test_an_invitation_form_sent_from_another_site_is_refused(client: TestClient, alice: Account) -> None:
    path = invite(client, alice)

    response = client.post(
        path,
        data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        headers={**HTML, "Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 403
    assert client.get(path, headers=HTML).status_code == 200


def test_an_invitee_may_not_pick_aaaaaaaaaa(client: TestClient, alice: Account) -> None:
    path = invite(client, alice)

    response = client.post(path, data={"password": "aaaaaaaaaa", "password_confirm": "aaaaaaaaaa"})

    assert response.status_code == 400
    assert "Password: this is one of the most common passwords" in response.text
    assert client.get(path, headers=HTML).status_code == 200
