"""Request bodies are refused over their route's limit and never read for someone not logged in."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psutil
import pytest
from fastapi import FastAPI

from framecast.core.settings import Settings
from framecast.web.app import create_app
from framecast.web.body_limits import body_limit
from framecast.web.context import WebContext
from tests.web.conftest import make_account
from tests.web.live_server import live_server, raw_request


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    app = create_app(settings, embedded_worker=False)
    with live_server(app) as url:
        yield url, app


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_a_huge_unauthenticated_body_is_refused_from_its_declared_length_without_being_read(
    served: tuple[str, FastAPI],
) -> None:
    url, _ = served
    before = psutil.Process().memory_info().rss
    head = (
        b"POST /api/practice/attempts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 600000000\r\n\r\n"
    )
    answer = raw_request(url, head, b'{"phrase_id": 1, "audio": "')
    assert status_of(answer) == 413
    assert b'"too_large"' in answer
    assert psutil.Process().memory_info().rss - before < 50 * 1024 * 1024


def test_an_unauthenticated_upload_is_refused_before_a_byte_of_it_is_read(
    served: tuple[str, FastAPI],
) -> None:
    url, _ = served
    # 50 MB declared (within the jobs route's limit) but only a few bytes sent: the answer comes
    # anyway, so the server did not wait for (or spool) the body.
    head = (
        b"POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        b"Content-Length: 50000000\r\n\r\n"
    )
    answer = raw_request(url, head, b"--b\r\n")
    assert status_of(answer) == 401
    assert b'"not_authenticated"' in answer


def test_a_chunked_body_without_a_length_is_cut_at_the_limit(
    served: tuple[str, FastAPI], settings: Settings
) -> None:
    url, app = served
    web: WebContext = app.state.web
    account = make_account(web, "ann@example.com")
    limit = settings.web.max_json_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"default_provider": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = httpx.put(
        f"{url}/api/account/preferences", content=chunks(), headers=account.headers, timeout=30
    )
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "too_large"


def test_a_logged_in_json_body_over_the_json_limit_is_413_and_one_under_it_works(
    served: tuple[str, FastAPI], settings: Settings
) -> None:
    url, app = served
    account = make_account(app.state.web, "bea@example.com")
    big = httpx.put(
        f"{url}/api/account/preferences",
        content=b'{"aspect": "' + b"x" * settings.web.max_json_bytes + b'"}',
        headers={**account.headers, "Content-Type": "application/json"},
    )
    small = httpx.put(f"{url}/api/account/preferences", json={"aspect": "portrait"}, headers=account.headers)
    assert big.status_code == 413
    assert "larger than the 1 MiB this address accepts" in big.json()["error"]["message"]
    assert small.status_code == 200


def test_the_login_form_takes_a_body_without_a_login_but_only_a_small_one(
    served: tuple[str, FastAPI], settings: Settings
) -> None:
    url, _ = served
    ok = httpx.post(f"{url}/api/auth/login", json={"email": "nobody@example.com", "password": "x" * 12})
    huge = httpx.post(
        f"{url}/api/auth/login",
        content=b'{"email": "' + b"x" * (settings.web.max_json_bytes + 1) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert ok.status_code == 401  # read and refused as a wrong password, not as a missing login
    assert huge.status_code == 413


def test_a_page_form_sent_without_a_login_goes_to_the_login_page(served: tuple[str, FastAPI]) -> None:
    url, _ = served
    response = httpx.post(f"{url}/studio/text", data={"prompt": "x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/studio/text"


def test_each_upload_route_allows_what_its_uploads_may_hold(settings: Settings) -> None:
    web = settings.web
    assert body_limit("POST", "/api/jobs", settings) > 5 * web.max_upload_bytes
    assert body_limit("POST", "/api/batches/preview", settings) > web.max_batch_images_bytes
    assert body_limit("POST", "/api/practice/attempts", settings) > settings.tutor.max_audio_bytes * 4 // 3
    assert body_limit("PUT", "/api/account/preferences", settings) == web.max_json_bytes
    assert body_limit("POST", "/api/jobs/3/cancel", settings) == web.max_json_bytes
