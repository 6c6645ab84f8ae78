"""First-run setup: only while no account exists, creates the first admin and logs them in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from framecast.db.accounts import User
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE
from tests.web.conftest import PASSWORD, make_account

HTML = {"Accept": "text/html"}
FORM = {"email": "Root@Example.com", "name": "Root", "password": PASSWORD, "password_confirm": PASSWORD}


def test_with_no_account_the_login_page_leads_to_setup(client: TestClient) -> None:
    response = client.get("/login?next=/queue", headers=HTML, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/setup"
    page = client.get("/setup", headers=HTML)
    assert page.status_code == 200
    assert 'action="/setup"' in page.text
    assert 'name="password_confirm"' in page.text


def test_setup_creates_the_first_admin_and_logs_them_in(client: TestClient, web: WebContext) -> None:
    response = client.post("/setup", data=FORM, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.cookies.get(SESSION_COOKIE)
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["email"] == "root@example.com"
    assert me.json()["is_admin"] is True
    with web.db.session() as session:
        stored = session.scalar(select(User))
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")


def test_setup_works_only_once(client: TestClient) -> None:
    assert client.post("/setup", data=FORM, follow_redirects=False).status_code == 303
    client.cookies.clear()

    again = client.post("/setup", data={**FORM, "email": "second@example.com"}, headers=HTML)
    page = client.get("/setup", headers=HTML)
    api = client.get("/setup")

    assert again.status_code == 404
    assert page.status_code == 404
    assert "log in instead" in page.text
    assert api.json()["error"]["type"] == "not_found"


def test_setup_is_gone_once_any_account_exists(client: TestClient, web: WebContext) -> None:
    make_account(web, "someone@example.com")

    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data=FORM).status_code == 404


def test_a_weak_password_is_shown_in_the_page_and_nothing_is_created(
    client: TestClient, web: WebContext
) -> None:
    response = client.post("/setup", data={**FORM, "password": "short", "password_confirm": "short"})

    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    assert 'value="Root@Example.com"' in response.text  # the form keeps what was typed
    assert SESSION_COOKIE not in response.cookies
    with web.db.session() as session:
        assert session.scalar(select(User)) is None


def test_passwords_that_differ_and_a_bad_email_are_named(client: TestClient) -> None:
    differ = client.post("/setup", data={**FORM, "password_confirm": PASSWORD + "!"})
    bad_email = client.post("/setup", data={**FORM, "email": "not-an-address"})

    assert differ.status_code == 400
    assert "the two passwords differ" in differ.text
    assert bad_email.status_code == 400
    assert "is not an email address" in bad_email.text


def test_a_setup_form_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post("/setup", data=FORM, headers={**HTML, "Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert "another site" in response.text
    assert client.get("/setup").status_code == 200


def test_on_a_new_server_the_home_page_ends_at_setup(client: TestClient) -> None:
    response = client.get("/", headers=HTML)

    assert response.status_code == 200
    assert response.url.path == "/setup"


def test_a_common_or_personal_password_is_refused_at_setup(client: TestClient, web: WebContext) -> None:
    common = client.post("/setup", data={**FORM, "password": "1234567890", "password_confirm": "1234567890"})
    personal = client.post(
        "/setup", data={**FORM, "password": "root@example.com", "password_confirm": "root@example.com"}
    )

    assert common.status_code == 400
    assert "Password: this is one of the most common passwords" in common.text
    assert personal.status_code == 400
    assert "Password: it is mostly your email address" in personal.text
    with web.db.session() as session:
        assert session.scalar(select(User)) is None


def test_a_nul_in_the_setup_name_is_a_400_naming_it(client: TestClient, web: WebContext) -> None:
    response = client.post("/setup", data={**FORM, "name": "Ro\x00ot"})

    assert response.status_code == 400
    assert "Name: contains a NUL character" in response.text
