"""Other frontends (``FRAMECAST_WEB__CORS_ORIGINS``): the REST API and media with a bearer token, never
with cookies; nothing for an origin not listed (``web/cors.py``)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from framecast.core.settings import Settings, get_settings
from framecast.web.app import create_app
from framecast.web.context import WebContext
from framecast.web.deps import CSRF_HEADER, SESSION_COOKIE
from framecast.web.security.sessions import create_web_session
from tests.web.conftest import Account
from tests.web.test_files_api import VIDEO_BYTES, add_file

FRONTEND = "https://app.school.example"
LOCAL_FRONTEND = "http://localhost:3000"
STRANGER = "https://evil.example"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    # Written as an operator might: spaces, a default port and a trailing slash.
    monkeypatch.setenv("FRAMECAST_WEB__CORS_ORIGINS", f" {FRONTEND}:443/ , {LOCAL_FRONTEND}")
    get_settings.cache_clear()
    return get_settings()


def cors_headers(response: Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


def preflight(client: TestClient, path: str, origin: str, method: str = "GET") -> Response:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def cookie_of(web: WebContext, account: Account) -> tuple[dict[str, str], str]:
    """The headers of a logged-in browser of ``account`` (its session cookie) and the CSRF token."""
    token, csrf = create_web_session(web.db, account.user_id, days=1)
    return {"Cookie": f"{SESSION_COOKIE}={token}"}, csrf


def test_a_listed_origin_gets_a_preflight_answer_without_credentials(client: TestClient) -> None:
    response = preflight(client, "/api/jobs", FRONTEND, method="POST")

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "range"} <= {name.strip() for name in allowed.split(",")}
    assert "x-csrf-token" not in allowed
    assert "access-control-allow-credentials" not in response.headers
    assert "Origin" in response.headers["vary"]


def test_a_listed_origin_reads_the_api_with_its_bearer_token(client: TestClient, bob: Account) -> None:
    response = client.get("/api/me", headers={**bob.headers, "Origin": LOCAL_FRONTEND})

    assert response.status_code == 200
    assert response.json()["email"] == bob.email
    assert response.headers["access-control-allow-origin"] == LOCAL_FRONTEND
    assert "access-control-allow-credentials" not in response.headers
    assert "Origin" in response.headers["vary"]


def test_a_listed_origin_reads_a_video_range_and_the_headers_a_player_needs(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    file_id = add_file(web, bob, "clip.mp4")

    response = client.get(
        f"/files/{file_id}/content", headers={**bob.headers, "Origin": FRONTEND, "Range": "bytes=0-9"}
    )

    assert response.status_code == 206
    assert response.content == VIDEO_BYTES[:10]
    assert response.headers["access-control-allow-origin"] == FRONTEND
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"content-range", "accept-ranges", "content-length"} <= exposed


def test_errors_carry_the_headers_so_that_the_frontend_can_read_them(client: TestClient) -> None:
    response = client.get("/api/me", headers={"Origin": FRONTEND})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"
    assert response.headers["access-control-allow-origin"] == FRONTEND


def test_an_unlisted_origin_gets_no_cors_header_on_a_preflight_or_a_request(
    client: TestClient, bob: Account
) -> None:
    refused = preflight(client, "/api/jobs", STRANGER, method="POST")
    answered = client.get("/api/me", headers={**bob.headers, "Origin": STRANGER})

    assert refused.status_code == 403
    assert cors_headers(refused) == {}
    assert "FRAMECAST_WEB__CORS_ORIGINS" in refused.json()["error"]["message"]
    # The request itself is answered (a bearer token is no ambient credential), unreadable by the page.
    assert answered.status_code == 200
    assert cors_headers(answered) == {}


def test_an_origin_differing_only_by_port_or_scheme_is_not_listed(client: TestClient) -> None:
    for origin in ("https://app.school.example:8443", "http://app.school.example", "http://localhost:3001"):
        assert cors_headers(preflight(client, "/api/me", origin)) == {}, origin


def test_a_session_cookie_counts_for_nothing_from_a_listed_origin_even_with_the_csrf_token(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    cookie, csrf = cookie_of(web, bob)

    read = client.get("/api/me", headers={**cookie, "Origin": FRONTEND})
    act = client.post("/api/auth/stream-token", headers={**cookie, CSRF_HEADER: csrf, "Origin": FRONTEND})

    assert read.status_code == 401
    assert act.status_code == 401


def test_a_session_cookie_sent_by_a_page_of_a_sibling_site_counts_for_nothing(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    # A sibling subdomain is "same-site": browsers send it our SameSite=Lax cookie. Not listed either.
    cookie, csrf = cookie_of(web, bob)
    fetch = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors", "Origin": "https://www.school.example"}
    file_id = add_file(web, bob, "clip.mp4")

    assert client.get("/api/me", headers={**cookie, **fetch}).status_code == 401
    sent = client.post("/api/jobs", headers={**cookie, **fetch, CSRF_HEADER: csrf}, json={})
    assert sent.status_code == 401
    embedded = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "video"}
    assert client.get(f"/files/{file_id}/content", headers={**cookie, **embedded}).status_code == 401


def test_our_own_pages_and_a_link_followed_from_elsewhere_still_use_the_cookie(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    cookie, csrf = cookie_of(web, bob)
    own_page = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Origin": "http://testserver"}
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}

    assert client.get("/api/me", headers={**cookie, **own_page}).json()["email"] == bob.email
    assert client.post("/api/auth/stream-token", headers={**cookie, **own_page, CSRF_HEADER: csrf}).is_success
    assert client.get("/api/me", headers={**cookie, **link}).status_code == 200
    # Same-origin CSRF protection is unchanged.
    assert client.post("/api/auth/stream-token", headers={**cookie, **own_page}).status_code == 403


def test_pages_are_not_opened_to_other_origins(client: TestClient) -> None:
    page = client.get("/login", headers={"Origin": FRONTEND})

    assert cors_headers(page) == {}
    assert cors_headers(preflight(client, "/login", FRONTEND, method="POST")) == {}


def test_with_no_origin_listed_nothing_gets_cors_headers() -> None:
    unset = Settings()
    assert unset.web.cors_origins == []
    plain = create_app(unset, embedded_worker=False)
    with TestClient(plain) as other:
        answered = other.get("/api/health", headers={"Origin": FRONTEND})
        asked = preflight(other, "/api/health", FRONTEND)

    assert answered.status_code == 200
    assert cors_headers(answered) == {}
    assert cors_headers(asked) == {}
