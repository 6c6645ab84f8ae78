"""Text and numbers no database can store are refused at the edge, naming the field, on SQLite and
on PostgreSQL (which cannot store a NUL at all); nothing odd ends in a 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from tests.web.conftest import Account


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", database_url)
    get_settings.cache_clear()
    return get_settings()


def assert_refused(response: object, field: str | None, label: str | None = None) -> None:
    assert response.status_code == 400, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["type"] == "invalid_input"
    if field is not None:
        assert error["details"] == {"field": field}
    if label is not None:
        assert error["message"].startswith(f"{label}: ")


def test_a_nul_in_a_login_email_is_refused_naming_it(client: TestClient) -> None:
    json_login = client.post("/api/auth/login", json={"email": "a\u0000@example.com", "password": "x" * 12})
    form_login = client.post("/login", data={"email": "a\x00@example.com", "password": "x" * 12})

    assert_refused(json_login, "email", "Email")
    assert "NUL" in json_login.json()["error"]["message"]
    assert form_login.status_code == 400


def test_a_lone_surrogate_in_json_is_refused_naming_its_field(client: TestClient, alice: Account) -> None:
    body = b'{"name": "Ann \\ud800"}'
    response = client.patch(
        f"/api/users/{alice.user_id}",
        content=body,
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert_refused(response, "name", "Name")
    assert "surrogate" in response.json()["error"]["message"]


def test_a_nul_in_a_search_or_a_prompt_is_refused(client: TestClient, alice: Account) -> None:
    search = client.get("/api/files", params={"q": "fox\x00"}, headers=alice.headers)
    prompt = client.post(
        "/api/jobs", data={"mode": "text", "prompt": "a fox\x00 in snow"}, headers=alice.headers
    )

    assert_refused(search, "q")
    assert_refused(prompt, "prompt", "Prompt")
    assert client.get("/api/jobs", headers=alice.headers).json()["total"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/jobs/99999999999999999999",
        "/api/jobs?offset=99999999999999999999",
        "/api/jobs?limit=99999999999999999999",
        "/api/batches/2147483648",
        "/api/files?offset=18446744073709551616",
    ],
)
def test_a_number_beyond_what_the_database_holds_is_refused(
    client: TestClient, alice: Account, url: str
) -> None:
    response = client.get(url, headers=alice.headers)

    assert response.status_code == 400
    assert "too large" in response.json()["error"]["message"]


def test_the_largest_id_is_still_an_ordinary_missing_one(client: TestClient, alice: Account) -> None:
    assert client.get("/api/jobs/2147483647", headers=alice.headers).status_code == 404


def test_an_id_the_database_cannot_hold_in_a_json_body_is_a_400_not_a_500(
    client: TestClient, alice: Account
) -> None:
    response = client.post(
        "/api/practice/attempts", json={"phrase_id": 2**40, "audio": "AAAA"}, headers=alice.headers
    )

    assert response.status_code in (400, 404), response.text  # PostgreSQL refuses it, SQLite finds none
    assert "SELECT" not in response.text


def test_a_huge_number_in_json_is_refused_naming_its_field(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/practice/attempts",
        content=json.dumps({"phrase_id": 2**70, "audio": "AAAA"}).encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert_refused(response, "phrase_id")


def test_deeply_nested_json_is_refused_in_the_one_error_shape(client: TestClient, alice: Account) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.put(
        "/api/account/preferences",
        content=body,
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert "nested" in response.json()["error"]["message"]


def test_a_nul_in_the_address_is_refused(client: TestClient, alice: Account) -> None:
    response = client.post("/api/batches/1/items/a%00b/retry", headers=alice.headers)

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_input"


def test_broken_utf8_in_a_query_is_refused(client: TestClient, alice: Account) -> None:
    response = client.get("/api/files?q=%ED%A0%80", headers=alice.headers)

    assert_refused(response, "q")
