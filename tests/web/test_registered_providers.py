"""The Studio's pages list every registered provider with its own label and note: a fake registered
by a test appears, and is gone once unregistered; the app refuses settings naming an unknown one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.providers.registry import ProviderBundle, ProviderTraits, register, unregister
from framecast.web.app import create_app
from tests.web.conftest import Account
from tests.web.test_pages_routes import log_in


@pytest.fixture
def registered_fake() -> Iterator[None]:
    register(
        "fakecam",
        lambda context: ProviderBundle(name="fakecam"),
        lambda _settings: ProviderTraits(label="Fake Cam", note="A camera that only tests have."),
    )
    try:
        yield
    finally:
        unregister("fakecam")


def test_a_registered_fake_is_listed_with_its_label_and_note(
    client: TestClient, bob: Account, registered_fake: None
) -> None:
    log_in(client, bob.email)

    page = client.get("/studio/text").text

    assert '<option value="fakecam"' in page
    assert "Fake Cam" in page
    assert "A camera that only tests have." in page


def test_an_unregistered_fake_is_not_listed(client: TestClient, bob: Account) -> None:
    register("fakecam", lambda context: ProviderBundle(name="fakecam"))
    unregister("fakecam")
    log_in(client, bob.email)

    page = client.get("/studio/text").text

    assert 'value="fakecam"' not in page
    assert '<option value="offline"' in page


def test_the_app_refuses_a_tutor_provider_nothing_registered(settings: Settings) -> None:
    settings.tutor.chat = "gpt"

    with pytest.raises(
        ConfigurationError,
        match=r"FRAMECAST_TUTOR__CHAT='gpt' names no chat provider; choose one of: auto, offline, openrouter",
    ):
        create_app(settings, embedded_worker=False)
