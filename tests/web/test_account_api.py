"""``/api/account``: a user's own provider keys (encrypted, never shown) and Studio preferences."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import ProviderKey
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.web.context import WebContext
from framecast.web.security.keys import user_provider_key
from tests.web.conftest import Account

EMULATOR_KEY = "k"
LONG_KEY = "gp-live-7f3a9c2e5b8d1f4a6c0e"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with running_emulator(EmulatorConfig(api_key=EMULATOR_KEY, latency=0.1, quota=25)) as handle:
        yield handle


@pytest.fixture
def settings(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_GENAIPRO__BASE_URL", emulator.base_url)
    get_settings.cache_clear()
    return get_settings()


def put_key(client: TestClient, account: Account, key: str, provider: str = "genaipro") -> dict[str, str]:
    response = client.put(f"/api/account/keys/{provider}", json={"api_key": key}, headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_a_stored_key_shows_only_its_hint(client: TestClient, bob: Account) -> None:
    stored = put_key(client, bob, f"  {LONG_KEY}\n")

    assert stored == {"provider": "genaipro", "hint": "6c0e"}
    listed = client.get("/api/account/keys", headers=bob.headers)
    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["provider"], row["hint"]) == ("genaipro", LONG_KEY[-4:])
    assert row["updated_at"]
    assert LONG_KEY not in listed.text


def test_a_short_key_gets_no_hint(client: TestClient, bob: Account) -> None:
    assert put_key(client, bob, "abcdef")["hint"] == ""


def test_the_key_is_encrypted_at_rest(
    client: TestClient, web: WebContext, settings: Settings, bob: Account
) -> None:
    put_key(client, bob, LONG_KEY)

    with web.db.session() as session:
        encrypted = session.scalar(select(ProviderKey.encrypted_key))
    assert encrypted is not None
    assert LONG_KEY.encode() not in encrypted
    database_files = list(Path(settings.data_dir).glob("framecast.db*"))  # the file and its WAL
    assert database_files
    for path in database_files:
        assert LONG_KEY.encode() not in path.read_bytes()
    assert user_provider_key(web.db, web.fernet, bob.user_id, "genaipro") == LONG_KEY


def test_replacing_and_deleting_a_key(client: TestClient, web: WebContext, bob: Account) -> None:
    put_key(client, bob, LONG_KEY)
    put_key(client, bob, LONG_KEY + "X")

    assert [row["hint"] for row in client.get("/api/account/keys", headers=bob.headers).json()] == ["c0eX"]
    assert client.delete("/api/account/keys/genaipro", headers=bob.headers).status_code == 204
    assert client.get("/api/account/keys", headers=bob.headers).json() == []
    assert user_provider_key(web.db, web.fernet, bob.user_id, "genaipro") is None
    assert client.delete("/api/account/keys/genaipro", headers=bob.headers).status_code == 204


@pytest.mark.parametrize(
    ("provider", "key", "message"),
    [
        ("offline", LONG_KEY, "'offline' takes no key"),
        ("nosuch", LONG_KEY, "'nosuch' is not a provider; keys can be stored for: genaipro"),
        ("genaipro", "   ", "API key: paste the key; it is empty"),
        ("genaipro", "two words", "must not contain spaces"),
    ],
)
def test_a_bad_provider_or_key_is_refused(
    client: TestClient, bob: Account, provider: str, key: str, message: str
) -> None:
    response = client.put(f"/api/account/keys/{provider}", json={"api_key": key}, headers=bob.headers)

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_check_reads_the_quota_with_the_users_key(client: TestClient, bob: Account) -> None:
    put_key(client, bob, EMULATOR_KEY)

    response = client.post("/api/account/keys/genaipro/check", headers=bob.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "quota": {"available": 25, "used": 0, "total": 25}, "key": "own"}


def test_check_with_a_wrong_key_is_502_with_the_providers_message(client: TestClient, bob: Account) -> None:
    put_key(client, bob, "not-the-right-key")

    response = client.post("/api/account/keys/genaipro/check", headers=bob.headers)

    assert response.status_code == 502
    error = response.json()["error"]
    assert error["type"] == "provider_error"
    assert error["details"] == {"provider": "genaipro", "category": "auth"}
    assert error["message"].startswith("genaipro:")


def test_check_falls_back_to_the_platform_key(
    client: TestClient, bob: Account, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(settings.genaipro, "api_key", SecretStr(EMULATOR_KEY))

    response = client.post("/api/account/keys/genaipro/check", headers=bob.headers)

    assert response.status_code == 200
    assert response.json()["key"] == "platform"


def test_one_users_key_is_never_used_or_shown_for_another(
    client: TestClient, alice: Account, bob: Account
) -> None:
    put_key(client, alice, EMULATOR_KEY)

    assert client.get("/api/account/keys", headers=bob.headers).json() == []
    check = client.post("/api/account/keys/genaipro/check", headers=bob.headers)
    assert check.status_code == 400  # no key of bob's and no platform key: alice's is not borrowed
    assert check.json()["error"]["message"].startswith("API key: no GenAIPro · Veo key yet")
    assert client.delete("/api/account/keys/genaipro", headers=bob.headers).status_code == 204
    assert client.post("/api/account/keys/genaipro/check", headers=alice.headers).status_code == 200


def test_a_pasted_key_is_checked_before_it_is_saved_and_nothing_is_stored(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    good = client.post(
        "/api/account/keys/genaipro/check", json={"api_key": f" {EMULATOR_KEY} "}, headers=bob.headers
    )
    bad = client.post("/api/account/keys/genaipro/check", json={"api_key": "not-it"}, headers=bob.headers)
    empty = client.post("/api/account/keys/genaipro/check", json={"api_key": "  "}, headers=bob.headers)

    assert good.status_code == 200, good.text
    assert good.json()["key"] == "pasted"
    assert good.json()["quota"]["available"] == 25
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == (
        "API key: GenAIPro · Veo refused this key (HTTP 401); check that it was pasted whole"
    )
    assert empty.status_code == 400
    assert empty.json()["error"]["message"] == "API key: paste the key; it is empty"
    assert empty.json()["error"]["details"] == {"field": "api_key"}
    assert user_provider_key(web.db, web.fernet, bob.user_id, "genaipro") is None
    assert client.get("/api/account/keys", headers=bob.headers).json() == []


def test_a_pasted_key_is_checked_instead_of_the_stored_one(client: TestClient, bob: Account) -> None:
    put_key(client, bob, EMULATOR_KEY)

    pasted = client.post("/api/account/keys/genaipro/check", json={"api_key": "wrong"}, headers=bob.headers)
    stored = client.post("/api/account/keys/genaipro/check", headers=bob.headers)

    assert pasted.status_code == 400
    assert stored.status_code == 200
    assert stored.json()["key"] == "own"


def test_checking_a_provider_that_takes_no_key_is_refused(client: TestClient, bob: Account) -> None:
    assert client.post("/api/account/keys/offline/check", headers=bob.headers).status_code == 400


def test_preferences_start_from_the_platform_defaults_and_change(client: TestClient, bob: Account) -> None:
    assert client.get("/api/account/preferences", headers=bob.headers).json() == {
        "default_provider": "offline",
        "aspect": "landscape",
        "concurrency": 10,
    }

    changed = client.put(
        "/api/account/preferences",
        json={"default_provider": "genaipro", "aspect": "9:16", "concurrency": 3},
        headers=bob.headers,
    )
    partial = client.put("/api/account/preferences", json={"concurrency": 4}, headers=bob.headers)

    assert changed.json() == {"default_provider": "genaipro", "aspect": "portrait", "concurrency": 3}
    assert partial.json() == {"default_provider": "genaipro", "aspect": "portrait", "concurrency": 4}
    assert client.get("/api/me", headers=bob.headers).json()["preferences"] == partial.json()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"default_provider": "nosuch"}, "Default provider: 'nosuch' is not a provider"),
        ({"aspect": "wide"}, "Default aspect: 'wide' is not an aspect"),
        ({"aspect": "square"}, "Default aspect: 'square' is for images only"),
        ({"concurrency": 0}, "Concurrency: a whole number from 1 to 50"),
        ({"concurrency": "3"}, "Concurrency: a whole number from 1 to 50"),
        ({"concurrency": True}, "Concurrency: a whole number from 1 to 50"),
    ],
)
def test_a_bad_preference_is_refused_and_nothing_changes(
    client: TestClient, bob: Account, body: dict[str, object], message: str
) -> None:
    response = client.put(
        "/api/account/preferences", json={"aspect": "portrait", **body}, headers=bob.headers
    )

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert client.get("/api/account/preferences", headers=bob.headers).json()["aspect"] == "landscape"


def test_preferences_are_per_user(client: TestClient, alice: Account, bob: Account) -> None:
    client.put("/api/account/preferences", json={"aspect": "portrait"}, headers=alice.headers)

    assert client.get("/api/account/preferences", headers=bob.headers).json()["aspect"] == "landscape"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/account/keys"),
        ("PUT", "/api/account/keys/genaipro"),
        ("DELETE", "/api/account/keys/genaipro"),
        ("POST", "/api/account/keys/genaipro/check"),
        ("GET", "/api/account/preferences"),
        ("PUT", "/api/account/preferences"),
    ],
)
def test_every_account_route_needs_a_login(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"api_key": LONG_KEY})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"
