"""The login page, the session cookie, logout, CSRF, the rate limit and ``next``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from framecast.core.secret import token_hash
from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import LoginAttempt, User, WebSession
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE
from framecast.web.routes.auth import safe_next
from tests.web.conftest import PASSWORD, Account

HTML = {"Accept": "text/html"}


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_ATTEMPTS", "3")
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_ATTEMPTS_PER_ADDRESS", "3")
    # Long enough that no slow machine lets a wait pass between two requests of one test.
    monkeypatch.setenv("FRAMECAST_WEB__LOGIN_DELAY_S", "60")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("10.9.9.9", 5000)) as test_client:
        yield test_client


def log_in(
    client: TestClient, email: str = "bob@example.com", password: str = PASSWORD, **extra: str
) -> httpx.Response:
    return client.post("/login", data={"email": email, "password": password, **extra}, follow_redirects=False)


def set_cookie_header(response: httpx.Response) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    return str(header).lower()


def csrf_of(web: WebContext, client: TestClient) -> str:
    with web.db.session() as session:
        row = session.scalar(
            select(WebSession).where(WebSession.token_hash == token_hash(client.cookies[SESSION_COOKIE]))
        )
        assert row is not None
        return row.csrf_token


def attempts(web: WebContext) -> int:
    with web.db.session() as session:
        return int(session.scalar(select(func.count(LoginAttempt.id))) or 0)


def test_the_login_page_is_a_plain_form_keeping_next(client: TestClient, bob: Account) -> None:
    page = client.get("/login?next=/queue", headers=HTML)

    assert page.status_code == 200
    assert 'action="/login"' in page.text
    assert 'name="next" value="/queue"' in page.text


def test_login_sets_an_httponly_samesite_cookie_and_follows_next(client: TestClient, bob: Account) -> None:
    response = log_in(client, next="/queue?state=failed")

    assert response.status_code == 303
    assert response.headers["location"] == "/queue?state=failed"
    cookie = set_cookie_header(response)
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert "secure" not in cookie  # plain HTTP with secure_cookies=auto
    assert client.get("/api/me").json()["email"] == "bob@example.com"


def test_the_cookie_is_secure_when_the_setting_says_always(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, bob: Account, app: FastAPI
) -> None:
    monkeypatch.setattr(settings.web, "secure_cookies", "always")
    with TestClient(app) as client:
        response = log_in(client)

    assert response.status_code == 303
    assert "; secure" in set_cookie_header(response)


def test_the_cookie_is_secure_over_https_in_auto_mode(app: FastAPI, bob: Account) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        response = log_in(client)

        assert "; secure" in set_cookie_header(response)
        assert client.get("/api/me").status_code == 200


def test_a_wrong_password_shows_a_message_and_counts_an_attempt(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    response = log_in(client, password="wrong password!")

    assert response.status_code == 400
    assert "wrong email or password" in response.text
    assert 'value="bob@example.com"' in response.text
    assert SESSION_COOKIE not in response.cookies
    assert attempts(web) == 1


def test_an_unknown_email_gets_the_same_message(client: TestClient, web: WebContext, bob: Account) -> None:
    response = log_in(client, email="nobody@example.com")

    assert response.status_code == 400
    assert "wrong email or password" in response.text
    assert attempts(web) == 1


def test_after_the_limit_even_the_right_password_waits(client: TestClient, bob: Account) -> None:
    for _ in range(3):
        assert log_in(client, password="wrong password!").status_code == 400

    limited = log_in(client)

    assert limited.status_code == 429
    assert "too many failed logins" in limited.text
    assert 0 < int(limited.headers["retry-after"]) <= 901
    assert SESSION_COOKIE not in limited.cookies


def test_the_limit_per_address_covers_every_email_it_tries(
    client: TestClient, other_client: TestClient, alice: Account, bob: Account
) -> None:
    for email in ("x@example.com", "y@example.com", "z@example.com"):
        log_in(client, email=email)

    assert log_in(client, email="alice@example.com").status_code == 429
    assert log_in(other_client, email="alice@example.com").status_code == 303


def test_a_successful_login_clears_the_emails_failures(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    log_in(client, password="wrong password!")
    log_in(client, password="wrong password!")

    assert log_in(client).status_code == 303
    assert attempts(web) == 0


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "//evil.com/path",
        "https://evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "/\t/evil.com",
        "javascript:alert(1)",
        "evil.com",
        "",
    ],
)
def test_next_never_leaves_the_site(target: str) -> None:
    assert safe_next(target) == "/"


def test_a_login_with_an_outside_next_goes_home(client: TestClient, bob: Account) -> None:
    response = log_in(client, next="//evil.com")

    assert response.headers["location"] == "/"


def test_the_login_page_does_not_echo_an_outside_next(client: TestClient, bob: Account) -> None:
    page = client.get("/login", params={"next": "//evil.com"}, headers=HTML)

    assert "evil.com" not in page.text


def test_a_logged_in_visitor_to_the_login_page_goes_on_to_next(client: TestClient, bob: Account) -> None:
    log_in(client)

    response = client.get("/login?next=/library", headers=HTML, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/library"


def test_a_login_form_from_another_site_is_refused(client: TestClient, bob: Account) -> None:
    response = client.post(
        "/login",
        data={"email": "bob@example.com", "password": PASSWORD},
        headers={**HTML, "Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://testserver.evil.example"])
def test_a_login_form_from_another_site_is_refused_by_its_origin_when_the_browser_sends_no_fetch_metadata(
    client: TestClient, bob: Account, origin: str
) -> None:
    response = client.post(
        "/login",
        data={"email": "bob@example.com", "password": PASSWORD},
        headers={**HTML, "Origin": origin},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_a_login_form_from_this_server_is_accepted_by_its_origin_whatever_the_scheme(
    client: TestClient, bob: Account
) -> None:
    # The TestClient asks for http://testserver; a browser behind a TLS proxy says https.
    for origin in ("http://testserver", "https://testserver"):
        response = client.post(
            "/login",
            data={"email": "bob@example.com", "password": PASSWORD},
            headers={**HTML, "Origin": origin},
            follow_redirects=False,
        )
        assert response.status_code == 303, (origin, response.text)


def test_a_login_form_from_this_site_is_accepted(client: TestClient, bob: Account) -> None:
    response = client.post(
        "/login",
        data={"email": "bob@example.com", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )

    assert response.status_code == 303


def test_logout_needs_the_csrf_token(client: TestClient, web: WebContext, bob: Account) -> None:
    log_in(client)

    missing = client.post("/logout", follow_redirects=False)
    wrong = client.post("/logout", data={"csrf_token": "nope"}, follow_redirects=False)

    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert client.get("/api/me").status_code == 200


def test_logout_ends_the_session_and_clears_the_cookie(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    log_in(client)
    cookie = client.cookies[SESSION_COOKIE]

    response = client.post("/logout", data={"csrf_token": csrf_of(web, client)}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "max-age=0" in set_cookie_header(response)
    client.cookies.set(SESSION_COOKIE, cookie)  # an old copy of the cookie
    reused = client.get("/api/me")
    assert reused.status_code == 401
    with web.db.session() as session:
        assert session.scalar(select(func.count(WebSession.id))) == 0


def test_a_cookie_post_without_or_with_a_wrong_csrf_token_is_refused(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    log_in(client)
    body = {"aspect": "portrait"}

    missing = client.put("/api/account/preferences", json=body)
    wrong = client.put("/api/account/preferences", json=body, headers={"X-CSRF-Token": "nope"})
    right = client.put("/api/account/preferences", json=body, headers={"X-CSRF-Token": csrf_of(web, client)})

    assert missing.status_code == 403
    assert missing.json()["error"]["type"] == "forbidden"
    assert "CSRF" in missing.json()["error"]["message"]
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert right.json()["aspect"] == "portrait"


def test_a_bearer_request_needs_no_csrf_token(client: TestClient, bob: Account) -> None:
    response = client.put("/api/account/preferences", json={"aspect": "portrait"}, headers=bob.headers)

    assert response.status_code == 200


def test_a_session_of_a_disabled_user_is_refused(client: TestClient, web: WebContext, bob: Account) -> None:
    log_in(client)
    with web.db.session() as session:
        user = session.get(User, bob.user_id)
        assert user is not None
        user.disabled = True

    assert client.get("/api/me").status_code == 401


def test_wrong_passwords_from_another_address_never_stop_the_right_one(
    client: TestClient, other_client: TestClient, bob: Account
) -> None:
    for _ in range(10):
        assert log_in(other_client, password="wrong password!").status_code in (400, 429)

    assert log_in(other_client).status_code == 429
    assert log_in(client).status_code == 303


def test_the_wait_grows_with_every_failure_past_the_limit(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    for _ in range(3):
        log_in(client, password="wrong password!")
    first = int(log_in(client).headers["retry-after"])
    with web.db.session() as session:
        # Let the wait pass by moving the failures back in time (no sleeping in tests).
        for row in session.scalars(select(LoginAttempt)):
            row.at = row.at - timedelta(seconds=first + 1)
    assert log_in(client, password="wrong password!").status_code == 400

    second = int(log_in(client).headers["retry-after"])

    assert second > first


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"email": "bob\x00@example.com"}, "Email: contains a NUL character"),
        ({"password": PASSWORD + "\x00"}, "Password: contains a NUL character"),
    ],
)
def test_a_nul_in_the_login_form_is_a_400_naming_the_field(
    client: TestClient, web: WebContext, bob: Account, form: dict[str, str], message: str
) -> None:
    response = client.post(
        "/login",
        data={"email": bob.email, "password": PASSWORD, **form},
        headers=HTML,
        follow_redirects=False,
    )

    assert response.status_code == 400
    assert message in response.text
    assert SESSION_COOKIE not in response.cookies
    assert attempts(web) == 0
