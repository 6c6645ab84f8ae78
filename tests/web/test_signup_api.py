"""``POST /api/users/register`` in each ``FRAMECAST_WEB__SIGNUP`` mode, duplicates, weak passwords and
the limit per client address."""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import make_account
from tests.web.signup_server import PASSWORD, Server, StartServer

HTML = {"Accept": "text/html"}


def error(response: httpx.Response) -> tuple[str, str]:
    body = response.json()["error"]
    return body["message"], body["details"].get("field", "")


# --- closed --------------------------------------------------------------------------------------


def test_while_sign_up_is_closed_register_answers_404_saying_so(signup_server: StartServer) -> None:
    server = signup_server()

    response = server.register()

    assert response.status_code == 404
    assert "sign-up is closed on this server" in response.json()["error"]["message"]
    assert server.users() == 1


# --- open ----------------------------------------------------------------------------------------


def test_open_sign_up_makes_a_learner_and_logs_them_in_with_a_token(signup_server: StartServer) -> None:
    server = signup_server(signup="open")

    response = server.register(email="  Lena@Example.COM ", name="  Lena   Park ")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    me = server.client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert body["user"] == me.json()
    assert (me.json()["email"], me.json()["name"], me.json()["is_admin"]) == (
        "lena@example.com",
        "Lena Park",
        False,
    )
    login = server.client.post("/api/auth/login", json={"email": "lena@example.com", "password": PASSWORD})
    assert login.status_code == 200


def test_nobody_signs_up_before_the_first_administrator_exists(signup_server: StartServer) -> None:
    server = signup_server(signup="open", admin=False)

    response = server.register()

    assert response.status_code == 404
    assert "/setup" in response.json()["error"]["message"]
    assert server.users() == 0
    assert server.client.get("/setup", headers=HTML).status_code == 200


@pytest.mark.parametrize("email", ["lena@example.com", "lena@mail.school.example", "lena@school.example.org"])
def test_open_sign_up_with_a_domain_refuses_other_addresses_naming_the_email_field(
    signup_server: StartServer, email: str
) -> None:
    server = signup_server(signup="open", signup_email_domain="school.example")

    response = server.register(email=email)

    assert response.status_code == 400
    assert error(response) == (
        "Email: sign-up here is for addresses at school.example (name@school.example)",
        "email",
    )
    assert server.users() == 1


def test_open_sign_up_with_a_domain_accepts_its_addresses(signup_server: StartServer) -> None:
    server = signup_server(signup="open", signup_email_domain="school.example")

    response = server.register(email="Lena@SCHOOL.example")

    assert response.status_code == 201, response.text
    assert response.json()["user"]["email"] == "lena@school.example"


# --- invite --------------------------------------------------------------------------------------


def invite_link(server: Server, email: str = "carol@example.com", *, is_admin: bool = False) -> str:
    assert server.admin is not None
    made = server.client.post(
        "/api/users/invites",
        json={"email": email, "name": "Carol", "is_admin": is_admin},
        headers=server.admin.headers,
    )
    assert made.status_code == 201, made.text
    link: str = made.json()["invite_url"]
    return link


def test_invite_sign_up_refuses_a_missing_or_unknown_invitation(signup_server: StartServer) -> None:
    server = signup_server(signup="invite")

    missing = server.register(email="carol@example.com")
    unknown = server.register(email="carol@example.com", invite="not-a-real-code")

    assert missing.status_code == 400
    assert error(missing) == ("Invitation: enter the invitation code or link you were given", "invite")
    assert unknown.status_code == 400
    assert error(unknown)[0].startswith("Invitation: this invitation link is not valid")
    assert server.users() == 1


@pytest.mark.parametrize("form", ["link", "code"])
def test_invite_sign_up_accepts_an_admins_invitation_once(signup_server: StartServer, form: str) -> None:
    server = signup_server(signup="invite", public_base_url="https://studio.school.example")
    link = invite_link(server)
    given = link if form == "link" else link.rsplit("/", 1)[1]

    first = server.register(email="Carol@example.com", name="Carol Choi", invite=given)
    again = server.register(email="carol@example.com", invite=given)

    assert first.status_code == 201, first.text
    assert first.json()["user"]["email"] == "carol@example.com"
    assert first.json()["user"]["is_admin"] is False
    assert again.status_code == 400
    assert error(again)[1] == "invite"
    assert server.client.get("/api/users/invites", headers=server.admin.headers).json() == []  # type: ignore[union-attr]


def test_an_invitation_signs_up_only_the_address_it_was_made_for(signup_server: StartServer) -> None:
    server = signup_server(signup="invite")
    link = invite_link(server)

    response = server.register(email="mallory@example.com", invite=link)

    assert response.status_code == 400
    assert error(response) == (
        "Email: this invitation is for carol@example.com; sign up with that address",
        "email",
    )
    # The invitation is still usable by its invitee.
    assert server.register(email="carol@example.com", invite=link).status_code == 201


def test_an_invitation_for_an_administrator_makes_one_as_its_link_does(signup_server: StartServer) -> None:
    server = signup_server(signup="invite")
    link = invite_link(server, is_admin=True)

    response = server.register(email="carol@example.com", invite=link)

    assert response.status_code == 201, response.text
    assert response.json()["user"]["is_admin"] is True


# --- refusals and limits -------------------------------------------------------------------------


def test_a_taken_email_is_refused_as_an_administrator_would_be_told(signup_server: StartServer) -> None:
    server = signup_server(signup="open")
    make_account(server.web, "bob@example.com", name="Bob")

    response = server.register(email="BOB@example.com")

    assert response.status_code == 400
    assert error(response) == ("Email: an account with bob@example.com exists already", "email")
    assert server.users() == 2


@pytest.mark.parametrize(
    ("body", "message", "field"),
    [
        ({"password": "1234567890"}, "Password: this is one of the most common passwords", "password"),
        ({"password": "short"}, "Password: use at least 10 characters", "password"),
        ({"password": "lenalenalena1"}, "Password:", "password"),
        (
            {"confirm_password": "another long passphrase"},
            "Confirm password: the two passwords differ",
            "confirm_password",
        ),
        ({"name": "   "}, "Name: enter a name", "name"),
        ({"email": "lena"}, "Email: 'lena' is not an email address", "email"),
    ],
)
def test_a_weak_password_or_a_bad_field_is_refused_by_its_label(
    signup_server: StartServer, body: dict[str, str], message: str, field: str
) -> None:
    server = signup_server(signup="open")

    response = server.register(**body)

    assert response.status_code == 400
    got_message, got_field = error(response)
    assert got_message.startswith(message)
    assert got_field == field
    assert server.users() == 1


def test_sign_ups_from_one_address_are_limited_with_retry_after(signup_server: StartServer) -> None:
    server = signup_server(signup="open", signup_per_hour="2")
    make_account(server.web, "bob@example.com", name="Bob")
    # Refusals that tell nothing about accounts do not count...
    for _ in range(3):
        assert server.register(password="1234567890").status_code == 400
    # ...an account made and a taken email do.
    assert server.register().status_code == 201
    assert server.register(email="bob@example.com").status_code == 400

    limited = server.register(email="nina@example.com")

    assert limited.status_code == 429
    assert "too many sign-ups from your address" in limited.json()["error"]["message"]
    assert 3000 < int(limited.headers["Retry-After"]) <= 3601
    assert server.users() == 3
    # Another address is not slowed by this one.
    other = server.client_from("10.9.9.9")
    assert server.register(other, email="nina@example.com").status_code == 201
