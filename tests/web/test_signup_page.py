"""The ``/signup`` page: linked from the login page only while sign-up is not closed, the form, its
errors by label, the cross-site refusal, and the account logged in at the end."""

from __future__ import annotations

import pytest

from framecast.web.deps import SESSION_COOKIE
from tests.web.signup_server import PASSWORD, StartServer

HTML = {"Accept": "text/html"}
FORM = {
    "email": "lena@school.example",
    "name": "Lena",
    "password": PASSWORD,
    "confirm_password": PASSWORD,
}


def test_while_sign_up_is_closed_there_is_no_page_and_no_link(signup_server: StartServer) -> None:
    server = signup_server()

    page = server.client.get("/signup", headers=HTML)
    sent = server.client.post("/signup", data=FORM, headers=HTML)
    login = server.client.get("/login", headers=HTML)

    assert page.status_code == 404
    assert "sign-up is closed on this server" in page.text
    assert sent.status_code == 404
    assert server.users() == 1
    assert 'href="/signup"' not in login.text
    assert "Ask an administrator for an invitation" in login.text


@pytest.mark.parametrize("mode", ["open", "invite"])
def test_the_login_page_links_to_sign_up_when_it_is_allowed(signup_server: StartServer, mode: str) -> None:
    server = signup_server(signup=mode)

    login = server.client.get("/login", headers=HTML)
    page = server.client.get("/signup", headers=HTML)

    assert 'href="/signup"' in login.text
    assert page.status_code == 200
    for label in ("Email", "Name", "Password", "Confirm password"):
        assert f">{label}</label>" in page.text
    assert ('name="invite"' in page.text) is (mode == "invite")


def test_signing_up_on_the_page_logs_in_and_goes_to_the_tutor(signup_server: StartServer) -> None:
    server = signup_server(signup="open", signup_email_domain="school.example")
    assert "school.example" in server.client.get("/signup", headers=HTML).text

    sent = server.client.post("/signup", data=FORM, follow_redirects=False)

    # A new account is a learner: it starts on the Tutor, not on ``/`` (the Studio).
    assert sent.status_code == 303
    assert sent.headers["location"] == "/tutor"
    assert server.client.cookies.get(SESSION_COOKIE)
    me = server.client.get("/api/me").json()
    assert (me["email"], me["name"], me["is_admin"]) == ("lena@school.example", "Lena", False)
    # Logged in, the page sends you home.
    again = server.client.get("/signup", headers=HTML, follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "lena@example.com"}, "Email: sign-up here is for addresses at school.example"),
        ({"password": "1234567890", "confirm_password": "1234567890"}, "Password: this is one of the most"),
        ({"confirm_password": "not the same passphrase"}, "Confirm password: the two passwords differ"),
    ],
)
def test_a_refused_sign_up_shows_the_page_again_with_the_error_by_label(
    signup_server: StartServer, change: dict[str, str], message: str
) -> None:
    server = signup_server(signup="open", signup_email_domain="school.example")

    sent = server.client.post("/signup", data={**FORM, **change}, headers=HTML)

    assert sent.status_code == 400
    assert message in sent.text
    assert 'value="Lena"' in sent.text
    assert PASSWORD not in sent.text
    assert not server.client.cookies.get(SESSION_COOKIE)
    assert server.users() == 1


def test_the_page_takes_the_invitation_from_its_link(signup_server: StartServer) -> None:
    server = signup_server(signup="invite")
    assert server.admin is not None
    made = server.client.post(
        "/api/users/invites",
        json={"email": "lena@school.example", "name": "Lena"},
        headers=server.admin.headers,
    )
    token = made.json()["invite_url"].rsplit("/", 1)[1]

    page = server.client.get(f"/signup?invite={token}", headers=HTML)
    sent = server.client.post("/signup", data={**FORM, "invite": token}, follow_redirects=False)

    assert f'value="{token}"' in page.text
    assert sent.status_code == 303
    assert server.client.get("/api/me").json()["email"] == "lena@school.example"


def test_a_sign_up_form_sent_from_another_site_is_refused(signup_server: StartServer) -> None:
    server = signup_server(signup="open")

    sent = server.client.post("/signup", data=FORM, headers={**HTML, "Sec-Fetch-Site": "cross-site"})
    # A browser without Fetch Metadata is known by its Origin.
    old_browser = server.client.post("/signup", data=FORM, headers={**HTML, "Origin": "http://evil.example"})

    assert sent.status_code == old_browser.status_code == 403
    assert "sent from another site" in sent.text
    assert "sent from another site" in old_browser.text
    assert server.users() == 1


def test_the_page_says_when_sign_ups_from_the_address_must_wait(signup_server: StartServer) -> None:
    server = signup_server(signup="open", signup_per_hour="1")
    assert server.client.post("/signup", data=FORM, follow_redirects=False).status_code == 303
    server.client.cookies.clear()

    sent = server.client.post("/signup", data={**FORM, "email": "nina@school.example"}, headers=HTML)

    assert sent.status_code == 429
    assert "too many sign-ups from your address" in sent.text
    assert int(sent.headers["Retry-After"]) > 0
