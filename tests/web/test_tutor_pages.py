"""The Tutor's home and session pages: a login is needed, another learner's session is 404 like a
missing one, the page carries what its script needs, and the avatar's portrait is served."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from framecast.tutor import sessions
from framecast.web.context import WebContext
from tests.web.conftest import PASSWORD, Account

HTML = {"Accept": "text/html"}
TUTOR_STATIC = [
    "/static/css/tutor.css",
    "/static/js/tutor_home.js",
    "/static/js/tutor_session.js",
    "/static/js/tutor_socket.js",
    "/static/js/tutor_messages.js",
    "/static/js/tutor_handsfree.js",
    "/static/js/tutor_summary.js",
    "/static/js/tutor_practice.js",
    "/static/js/tutor_progress.js",
    "/static/js/tutor_chart.js",
    "/static/js/tutor_live.js",
    "/static/js/recorder.js",
    "/static/js/audio_queue.js",
    "/static/js/voice_activity.js",
    "/static/css/tutor_pages.css",
]


def log_in(client: TestClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text


def start(web: WebContext, account: Account, **options: str) -> str:
    return sessions.create_session(web.db, account.user_id, **options).id


def test_the_home_page_offers_levels_topics_and_languages(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    response = client.get("/tutor")
    assert response.status_code == 200
    page = response.text
    assert re.search(r'<meta name="csrf-token" content="[^"]{16,}">', page)
    assert '<link rel="stylesheet" href="/static/css/tutor.css">' in page
    assert '<script type="module" src="/static/js/tutor_home.js">' in page
    for level in ("beginner", "intermediate", "advanced"):
        assert f'<option value="{level}">' in page
    assert '<option value="">Free conversation</option>' in page
    assert '<option value="travel">Travel</option>' in page
    assert '<option value="en" selected>English</option>' in page
    assert '<option value="ko" >한국어 (Korean)</option>' in page
    assert f'data-user-id="{bob.user_id}"' in page


def test_the_home_page_selects_the_learners_explanation_language(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    start(web, bob, language="ko")  # a chosen language becomes the learner's preference
    log_in(client, bob.email)
    page = client.get("/tutor").text
    assert '<option value="ko" selected>' in page
    assert '<option value="en" >' in page


def test_the_home_page_says_the_offline_tutor_is_rule_based(client: TestClient, bob: Account) -> None:
    log_in(client, bob.email)
    page = client.get("/tutor").text
    assert 'data-testid="offline-tutor-note"' in page
    assert "offline tutor: rule-based checker and scripted lessons" in page
    assert "offline (pocketsphinx)" in page
    assert "offline (espeak-ng)" in page


def test_a_learners_session_page_carries_what_its_script_needs(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    session_id = start(web, bob, difficulty="intermediate", topic="travel", language="ko")
    log_in(client, bob.email)
    response = client.get(f"/tutor/sessions/{session_id}")
    assert response.status_code == 200
    page = response.text
    assert f'data-session-id="{session_id}"' in page
    assert 'data-language="ko"' in page
    assert 'data-ended="false"' in page
    assert 'data-max-audio-bytes="5242880"' in page
    assert 'poster="/tutor/portrait.png"' in page
    assert 'data-testid="avatar-video"' in page
    assert 'data-testid="connection-status"' in page
    assert "<dd>여행</dd>" in page  # a Korean session's page speaks Korean
    assert '<script type="module" src="/static/js/tutor_session.js">' in page
    assert 'data-testid="composer" novalidate >' in page  # shown: the session is open


def test_an_ended_session_page_hides_the_composer(client: TestClient, web: WebContext, bob: Account) -> None:
    session_id = start(web, bob)
    sessions.end_session(web.db, session_id, bob.user_id)
    log_in(client, bob.email)
    page = client.get(f"/tutor/sessions/{session_id}").text
    assert 'data-ended="true"' in page
    assert 'data-testid="composer" novalidate hidden>' in page


@pytest.mark.parametrize("path", ["/tutor", "/tutor/sessions/anything"])
def test_a_tutor_page_without_a_login_redirects_to_the_login_page(
    client: TestClient, bob: Account, path: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_another_learners_session_page_is_404_like_a_missing_one(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    theirs = start(web, alice)
    log_in(client, bob.email)
    found = client.get(f"/tutor/sessions/{theirs}", headers=HTML)
    missing = client.get("/tutor/sessions/no-such-session", headers=HTML)
    assert found.status_code == missing.status_code == 404
    assert found.text.replace(theirs, "X") == missing.text.replace("no-such-session", "X")


def test_the_portrait_is_a_png(client: TestClient) -> None:
    response = client.get("/tutor/portrait.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "max-age" in response.headers["cache-control"]


@pytest.mark.parametrize("path", TUTOR_STATIC)
def test_the_tutor_pages_scripts_and_styles_are_served_without_outside_links(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content
    # The SVG namespace is a name, not a link: nothing is fetched from it.
    text = response.text.replace("http://www.w3.org/2000/svg", "")
    assert "http://" not in text
    assert "https://" not in text
    assert "innerHTML" not in response.text
