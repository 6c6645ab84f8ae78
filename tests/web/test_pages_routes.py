"""The HTML pages: each needs a login, shows the session's CSRF token, and hides other users' batches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from framecast.db.models import Batch
from framecast.web.context import WebContext
from tests.web.conftest import PASSWORD, Account

PAGES = [
    "/studio/text",
    "/studio/frames",
    "/studio/ingredients",
    "/studio/image",
    "/batches",
    "/batches/new/aroll",
    "/batches/new/broll-images",
    "/batches/new/broll-footage",
    "/batches/new/pipeline",
    "/queue",
    "/library",
    "/history",
    "/settings",
    "/admin/users",
]
STATIC = [
    "/static/css/app.css",
    *(
        f"/static/js/{name}"
        for name in (
            "api.js",
            "events.js",
            "studio.js",
            "batch.js",
            "batch_new.js",
            "batches.js",
            "queue.js",
            "library.js",
            "history.js",
            "settings.js",
            "admin_users.js",
        )
    ),
]


def log_in(client: TestClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text


def make_batch(web: WebContext, owner_id: int, tmp_path: Path) -> int:
    with web.db.session() as session:
        batch = Batch(
            owner_id=owner_id,
            kind="aroll",
            provider="offline",
            out_dir=str(tmp_path / "out"),
            source_path=str(tmp_path / "prompts.txt"),
            source_format="txt",
        )
        session.add(batch)
        session.flush()
        return batch.id


def test_the_root_leads_to_setup_while_no_account_exists(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/setup"


def test_the_root_leads_to_the_text_studio_once_an_account_exists(client: TestClient, bob: Account) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/studio/text"


@pytest.mark.parametrize("path", [*PAGES, "/batches/1", "/studio/no-such-mode"])
def test_a_page_without_a_login_redirects_to_the_login_page(
    client: TestClient, alice: Account, path: str
) -> None:
    # No Accept header: the redirect must not depend on the client asking for HTML.
    response = client.get(path + "?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}%3Fx%3D1"


def test_every_page_renders_for_an_admin_with_the_csrf_token(client: TestClient, alice: Account) -> None:
    log_in(client, alice.email)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert re.search(r'<meta name="csrf-token" content="[^"]{16,}">', response.text), path
        assert 'action="/logout"' in response.text
        assert "Alice" in response.text
        assert "cdn" not in response.text.lower()


@pytest.mark.parametrize("path", STATIC)
def test_the_pages_own_scripts_and_styles_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content
    assert "http://" not in response.text
    assert "https://" not in response.text


def test_the_studio_says_the_offline_provider_is_a_local_renderer(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    page = client.get("/studio/text").text
    assert 'data-testid="provider-note-offline"' in page
    assert "local renderer, not an AI model" in page


def test_a_paid_provider_without_any_key_says_so(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    page = client.get("/studio/frames").text
    assert "No GenAIPro · Veo key yet" in page


def test_the_studio_form_posts_the_mode_of_its_page(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    page = client.get("/studio/ingredients").text
    assert '<input type="hidden" name="mode" value="ingredients">' in page
    assert 'name="reference_images"' in page
    assert "multiple" in page


def test_an_unknown_studio_mode_or_batch_kind_is_404(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    assert client.get("/studio/sound", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/batches/new/jingles", headers={"Accept": "text/html"}).status_code == 404


def test_the_users_page_is_for_admins_only(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    response = client.get("/admin/users", headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert "only an administrator" in response.text
    assert 'href="/admin/users"' not in client.get("/queue").text


def test_a_users_batch_page_opens_for_them(
    client: TestClient, web: WebContext, bob: Account, tmp_path: Path
) -> None:
    batch_id = make_batch(web, bob.user_id, tmp_path)
    log_in(client, bob.email)
    response = client.get(f"/batches/{batch_id}")
    assert response.status_code == 200
    assert f'data-batch-id="{batch_id}"' in response.text


def test_another_users_batch_page_is_404_like_a_missing_one(
    client: TestClient, web: WebContext, alice: Account, bob: Account, tmp_path: Path
) -> None:
    batch_id = make_batch(web, alice.user_id, tmp_path)
    log_in(client, bob.email)
    theirs = client.get(f"/batches/{batch_id}", headers={"Accept": "text/html"})
    missing = client.get(f"/batches/{batch_id + 100}", headers={"Accept": "text/html"})
    assert theirs.status_code == missing.status_code == 404
    assert f"no batch {batch_id}" in theirs.text
    assert theirs.text.replace(f"no batch {batch_id}", "") == missing.text.replace(
        f"no batch {batch_id + 100}", ""
    )


def test_an_error_page_keeps_the_navigation_for_a_logged_in_user(client: TestClient) -> None:
    html = {"Accept": "text/html"}
    client.post(
        "/setup",
        data={
            "email": "e@example.com",
            "name": "Eve",
            "password": "a long password 1",
            "password_confirm": "a long password 1",
        },
        headers=html,
    )
    missing = client.get("/batches/999", headers=html)
    assert missing.status_code == 404
    assert 'href="/queue"' in missing.text
    malformed = client.get("/batches/abc", headers=html)
    assert malformed.status_code == 404
    assert "Page not found" in malformed.text
