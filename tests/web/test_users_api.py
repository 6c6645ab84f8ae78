"""``/api/users``: only administrators list, create, invite and change accounts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from framecast.db.base import utcnow
from framecast.db.tutor import TutorSession
from framecast.tutor.sessions import create_session
from framecast.web.context import WebContext
from tests.tutor.test_sessions import DOG, DOG_FIXES, add_message
from tests.web.conftest import PASSWORD, Account, make_account

NEW = {"email": "Carol@Example.com", "name": "Carol", "password": "carol's long password"}


def test_an_admin_lists_every_account(client: TestClient, alice: Account, bob: Account) -> None:
    response = client.get("/api/users", headers=alice.headers)

    assert response.status_code == 200
    users = response.json()
    assert [u["email"] for u in users] == ["alice@example.com", "bob@example.com"]
    assert set(users[0]) == {"id", "email", "name", "is_admin", "role", "disabled", "created_at"}


def test_an_admin_creates_a_user_who_can_log_in(client: TestClient, alice: Account) -> None:
    response = client.post("/api/users", json=NEW, headers=alice.headers)

    assert response.status_code == 201
    created = response.json()
    assert (created["email"], created["name"], created["is_admin"], created["disabled"]) == (
        "carol@example.com",
        "Carol",
        False,
        False,
    )
    login = client.post("/api/auth/login", json={"email": "carol@example.com", "password": NEW["password"]})
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "too short"}, "Password: use at least 10 characters"),
        ({"email": "carol"}, "Email: 'carol' is not an email address"),
        ({"email": "BOB@example.com"}, "Email: an account with bob@example.com exists already"),
        ({"name": "   "}, "Name: enter a name"),
    ],
)
def test_a_bad_new_user_is_refused_naming_the_field(
    client: TestClient, alice: Account, bob: Account, change: dict[str, str], message: str
) -> None:
    response = client.post("/api/users", json={**NEW, **change}, headers=alice.headers)

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_an_invitation_is_a_link_valid_for_seven_days(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/users/invites", json={"email": "carol@example.com", "name": "Carol"}, headers=alice.headers
    )

    assert response.status_code == 201
    body = response.json()
    # No public address configured: a path, never one built from the request's Host header.
    assert body["invite_url"].startswith("/invite/")
    assert body["expires_at"]


def test_an_invitation_for_an_existing_account_is_refused(
    client: TestClient, alice: Account, bob: Account
) -> None:
    response = client.post(
        "/api/users/invites", json={"email": "bob@example.com", "name": "Bob"}, headers=alice.headers
    )

    assert response.status_code == 400
    assert "exists already" in response.json()["error"]["message"]


def test_disabling_a_user_ends_their_tokens_and_enabling_lets_them_log_in(
    client: TestClient, alice: Account, bob: Account
) -> None:
    disabled = client.patch(f"/api/users/{bob.user_id}", json={"disabled": True}, headers=alice.headers)

    assert disabled.status_code == 200
    assert disabled.json()["disabled"] is True
    assert client.get("/api/me", headers=bob.headers).status_code == 401

    client.patch(f"/api/users/{bob.user_id}", json={"disabled": False}, headers=alice.headers)
    assert client.get("/api/me", headers=bob.headers).status_code == 401  # the old token stays revoked
    login = client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    assert login.status_code == 200


def test_an_admin_renames_promotes_and_demotes(client: TestClient, alice: Account, bob: Account) -> None:
    promoted = client.patch(
        f"/api/users/{bob.user_id}", json={"is_admin": True, "name": " Robert  B "}, headers=alice.headers
    )

    assert promoted.json()["is_admin"] is True
    assert promoted.json()["name"] == "Robert B"
    assert client.get("/api/users", headers=bob.headers).status_code == 200
    client.patch(f"/api/users/{bob.user_id}", json={"is_admin": False}, headers=alice.headers)
    assert client.get("/api/users", headers=bob.headers).status_code == 403


@pytest.mark.parametrize("change", [{"disabled": True}, {"is_admin": False}])
def test_an_admin_cannot_disable_or_demote_themself(
    client: TestClient, alice: Account, change: dict[str, bool]
) -> None:
    response = client.patch(f"/api/users/{alice.user_id}", json=change, headers=alice.headers)

    assert response.status_code == 400
    assert "your own account" in response.json()["error"]["message"]
    me = client.get("/api/me", headers=alice.headers)
    assert me.status_code == 200
    assert me.json()["is_admin"] is True


def test_an_admin_may_rename_themself(client: TestClient, alice: Account) -> None:
    response = client.patch(f"/api/users/{alice.user_id}", json={"name": "Alice A."}, headers=alice.headers)

    assert response.json()["name"] == "Alice A."


def test_changing_an_unknown_user_is_404(client: TestClient, alice: Account) -> None:
    response = client.patch("/api/users/9999", json={"disabled": True}, headers=alice.headers)

    assert response.status_code == 404


ADMIN_ROUTES = [
    ("GET", "/api/users", None),
    ("POST", "/api/users", NEW),
    ("POST", "/api/users/invites", {"email": "x@example.com", "name": "X"}),
    ("PATCH", "/api/users/1", {"disabled": True}),
    ("GET", "/api/users/invites", None),
    ("DELETE", "/api/users/invites/1", None),
    ("POST", "/api/users/1/reset-link", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_a_normal_user_is_refused_with_403(
    client: TestClient, alice: Account, bob: Account, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = client.request(method, path, json=body, headers=bob.headers)

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_no_credentials_is_401(
    client: TestClient, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = client.request(method, path, json=body)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_a_disabled_admin_cannot_use_admin_routes(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    other = make_account(web, "root@example.com", admin=True)
    client.patch(f"/api/users/{other.user_id}", json={"disabled": True}, headers=alice.headers)

    assert client.get("/api/users", headers=other.headers).status_code == 401


# -- one account and its Tutor sessions (the seed's user routes) ------------------------------------


def test_a_user_reads_their_own_account(client: TestClient, alice: Account, bob: Account) -> None:
    response = client.get(f"/api/users/{bob.user_id}", headers=bob.headers)

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["email"]) == (bob.user_id, "bob@example.com")


def test_an_admin_reads_any_account(client: TestClient, alice: Account, bob: Account) -> None:
    response = client.get(f"/api/users/{bob.user_id}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json()["name"] == "Bob"
    assert client.get("/api/users/9999", headers=alice.headers).status_code == 404


def test_another_account_answers_404_like_a_missing_one(
    client: TestClient, alice: Account, bob: Account
) -> None:
    foreign = client.get(f"/api/users/{alice.user_id}", headers=bob.headers)
    missing = client.get("/api/users/9999", headers=bob.headers)

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["error"]["message"] == f"no user {alice.user_id}"


def test_a_user_lists_their_tutor_sessions_with_messages_newest_first(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    first = create_session(web.db, bob.user_id)
    add_message(web.db, first.id, DOG, fixes=DOG_FIXES)
    with web.db.session() as session:
        row = session.get(TutorSession, first.id)
        assert row is not None
        row.started_at = row.started_at - timedelta(hours=1)
    second = create_session(web.db, bob.user_id)

    listed = client.get(f"/api/users/{bob.user_id}/sessions", headers=bob.headers).json()
    limited = client.get(f"/api/users/{bob.user_id}/sessions?limit=1", headers=bob.headers).json()

    assert [s["id"] for s in listed] == [second.id, first.id]
    assert [c["original_text"] for c in listed[1]["corrections"]] == ["go", "see", "an dog"]
    assert [m["content"] for m in listed[1]["conversations"]] == [DOG]
    assert [s["id"] for s in limited] == [second.id]


def test_tutor_sessions_are_private_even_from_an_admin(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    create_session(web.db, bob.user_id)

    response = client.get(f"/api/users/{bob.user_id}/sessions", headers=alice.headers)

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/users/1", "/api/users/1/sessions"])
def test_reading_a_user_needs_a_login(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401


# -- pending invitations, revoked with their admin ---------------------------------------------------


def invite(client: TestClient, admin: Account, email: str = "carol@example.com") -> str:
    response = client.post(
        "/api/users/invites", json={"email": email, "name": "Carol"}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    url: str = response.json()["invite_url"]
    return url


def test_an_admin_lists_the_pending_invitations(client: TestClient, alice: Account) -> None:
    invite(client, alice, "carol@example.com")
    invite(client, alice, "dan@example.com")

    response = client.get("/api/users/invites", headers=alice.headers)

    assert response.status_code == 200
    listed = response.json()
    assert [i["email"] for i in listed] == ["dan@example.com", "carol@example.com"]
    assert set(listed[0]) == {
        "id",
        "email",
        "name",
        "is_admin",
        "invited_by",
        "invited_by_name",
        "created_at",
        "expires_at",
    }
    assert (listed[0]["invited_by"], listed[0]["invited_by_name"]) == (alice.user_id, "Alice")


def test_a_revoked_invitation_link_stops_working(client: TestClient, alice: Account) -> None:
    path = invite(client, alice)
    [pending] = client.get("/api/users/invites", headers=alice.headers).json()

    revoked = client.delete(f"/api/users/invites/{pending['id']}", headers=alice.headers)
    again = client.delete(f"/api/users/invites/{pending['id']}", headers=alice.headers)

    assert revoked.status_code == 204
    assert again.status_code == 404
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/api/users/invites", headers=alice.headers).json() == []


@pytest.mark.parametrize("change", [{"disabled": True}, {"is_admin": False}])
def test_disabling_or_demoting_an_admin_revokes_the_invitations_they_made(
    client: TestClient, web: WebContext, alice: Account, change: dict[str, bool]
) -> None:
    other = make_account(web, "root@example.com", admin=True, name="Root")
    theirs = invite(client, other, "carol@example.com")
    mine = invite(client, alice, "dan@example.com")

    response = client.patch(f"/api/users/{other.user_id}", json=change, headers=alice.headers)

    assert response.status_code == 200
    form = {"password": "carol's long password", "password_confirm": "carol's long password"}
    assert client.post(theirs, data=form, headers={"Accept": "text/html"}).status_code == 404
    assert [i["email"] for i in client.get("/api/users/invites", headers=alice.headers).json()] == [
        "dan@example.com"
    ]
    assert client.get(mine, headers={"Accept": "text/html"}).status_code == 200


def test_renaming_an_admin_keeps_their_invitations(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    other = make_account(web, "root@example.com", admin=True, name="Root")
    path = invite(client, other)

    client.patch(f"/api/users/{other.user_id}", json={"name": "Root R."}, headers=alice.headers)

    assert client.get(path, headers={"Accept": "text/html"}).status_code == 200


# -- links start with the configured public address, never with the request's Host --------------


def test_a_link_starts_with_the_public_base_url_whatever_the_host_header(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    configured = web.settings.web.model_copy(update={"public_base_url": "https://studio.example.org/"})
    monkeypatch.setattr(web, "settings", web.settings.model_copy(update={"web": configured}))
    headers = {**alice.headers, "Host": "evil.example", "X-Forwarded-Host": "evil.example"}

    invited = client.post("/api/users/invites", json={"email": "c@example.com", "name": "C"}, headers=headers)
    reset = client.post(f"/api/users/{bob.user_id}/reset-link", headers=headers)

    assert invited.json()["invite_url"].startswith("https://studio.example.org/invite/")
    assert reset.json()["reset_url"].startswith("https://studio.example.org/reset/")


def test_without_a_public_base_url_a_link_is_a_path_even_with_a_spoofed_host(
    client: TestClient, alice: Account
) -> None:
    headers = {**alice.headers, "Host": "evil.example"}
    response = client.post(
        "/api/users/invites", json={"email": "c@example.com", "name": "C"}, headers=headers
    )

    assert response.json()["invite_url"].startswith("/invite/")
    assert "evil" not in response.text


def test_the_tutors_public_base_url_serves_when_the_web_one_is_unset(
    monkeypatch: pytest.MonkeyPatch, alice: Account, client: TestClient, web: WebContext
) -> None:
    tutor = web.settings.tutor.model_copy(update={"public_base_url": "https://tunnel.example.org"})
    monkeypatch.setattr(web, "settings", web.settings.model_copy(update={"tutor": tutor}))

    response = client.post(
        "/api/users/invites", json={"email": "c@example.com", "name": "C"}, headers=alice.headers
    )

    assert response.json()["invite_url"].startswith("https://tunnel.example.org/invite/")


# -- password reset links ---------------------------------------------------------------------------


def test_an_admin_makes_a_reset_link_valid_for_a_day(
    client: TestClient, alice: Account, bob: Account
) -> None:
    response = client.post(f"/api/users/{bob.user_id}/reset-link", headers=alice.headers)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"reset_url", "expires_at"}
    assert body["reset_url"].startswith("/reset/")
    left = datetime.fromisoformat(body["expires_at"]) - utcnow()
    assert timedelta(hours=23) < left <= timedelta(hours=24)


def test_a_reset_link_for_an_unknown_or_disabled_user_is_refused(
    client: TestClient, alice: Account, bob: Account
) -> None:
    client.patch(f"/api/users/{bob.user_id}", json={"disabled": True}, headers=alice.headers)

    disabled = client.post(f"/api/users/{bob.user_id}/reset-link", headers=alice.headers)
    unknown = client.post("/api/users/9999/reset-link", headers=alice.headers)

    assert disabled.status_code == 400
    assert "enable the account" in disabled.json()["error"]["message"]
    assert unknown.status_code == 404


# -- text that cannot be stored ------------------------------------------------------------------


def send(client: TestClient, method: str, path: str, body: dict[str, Any], account: Account) -> Any:
    # ASCII JSON: NUL and lone surrogates travel as the \u escapes a hostile client sends.
    headers = {**account.headers, "Content-Type": "application/json"}
    return client.request(method, path, content=json.dumps(body), headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("POST", "/api/users", {**NEW, "email": "carol\x00@example.com"}, "Email: contains a NUL"),
        ("POST", "/api/users", {**NEW, "name": "Car\x00ol"}, "Name: contains a NUL"),
        ("POST", "/api/users", {**NEW, "name": "Carol \ud800"}, "Name: contains an unpaired surrogate"),
        ("POST", "/api/users", {**NEW, "password": NEW["password"] + "\x00"}, "Password: contains a NUL"),
        ("POST", "/api/users/invites", {"email": "c\x00@example.com", "name": "C"}, "Email: contains a NUL"),
        ("POST", "/api/users/invites", {"email": "c@example.com", "name": "\udc00C"}, "Name: contains an"),
        ("PATCH", "/api/users/{bob}", {"name": "Bob\x00"}, "Name: contains a NUL"),
    ],
)
def test_account_text_that_cannot_be_stored_is_a_400_naming_the_field(
    client: TestClient,
    alice: Account,
    bob: Account,
    method: str,
    path: str,
    body: dict[str, str],
    message: str,
) -> None:
    response = send(client, method, path.format(bob=bob.user_id), body, alice)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(message)
