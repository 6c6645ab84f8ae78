"""The options only some providers take, and a cost in dollars, in a real browser: choosing Google
Veo (the Gemini API emulator here) reveals its fields and a dollar estimate, the submitted job keeps
the duration, and nothing on the page claims a Google balance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.google_veo.testing import EmulatorHandle, running_emulator
from framecast.providers.google_veo.pricing import PRICE_DATE, PRICE_SOURCE
from tests.browser.conftest import (
    RENDER_TIMEOUT_MS,
    StudioServer,
    new_studio_context,
    running_studio,
    set_up_admin,
    watched_page,
)

KEY = "google-emulator-key"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with running_emulator(EmulatorConfig(api_key=KEY, latency=0.5, media_seconds=1, media_size=96)) as handle:
        yield handle


@pytest.fixture(scope="module")
def shared_server(
    tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorHandle
) -> Iterator[StudioServer]:
    with running_studio(
        tmp_path_factory.mktemp("studio"),
        FRAMECAST_GOOGLE__API_KEY=KEY,
        FRAMECAST_GOOGLE__BASE_URL=emulator.base_url,
        FRAMECAST_GOOGLE__POLL_S="0.2",
    ) as server:
        yield server


@pytest.fixture
def admin_page(browser: Browser, shared_server: StudioServer, admin_state: Any) -> Iterator[Page]:
    browser_context = new_studio_context(browser, shared_server, storage_state=admin_state)
    try:
        with watched_page(browser_context, shared_server) as studio_page:
            yield studio_page
    finally:
        browser_context.close()


@pytest.fixture(scope="module")
def admin_state(browser: Browser, shared_server: StudioServer) -> Any:
    browser_context = new_studio_context(browser, shared_server)
    try:
        set_up_admin(browser_context.new_page())
        return browser_context.storage_state()
    finally:
        browser_context.close()


def stored_job(page: Page, job_id: int) -> dict[str, Any]:
    job: dict[str, Any] = page.evaluate("async id => (await fetch(`/api/jobs/${id}`)).json()", job_id)
    return job


def test_choosing_google_veo_reveals_its_duration_and_a_dollar_estimate_and_the_job_keeps_it(
    admin_page: Page,
) -> None:
    page = admin_page
    page.goto("/studio/text")
    duration = page.get_by_test_id("option-duration_seconds")
    cost = page.get_by_test_id("cost")
    # The offline renderer takes no options: none is shown, and it costs nothing.
    expect(duration).to_be_hidden()
    expect(cost).to_be_hidden()

    page.get_by_test_id("provider").select_option("google-veo")

    expect(duration).to_be_visible()
    expect(page.locator('label[for="duration_seconds"]')).to_contain_text("Duration")
    expect(page.get_by_test_id("option-resolution")).to_be_visible()
    # Seed and audio need Vertex AI: not offered on the Gemini API.
    expect(page.get_by_test_id("option-seed")).to_be_hidden()
    expect(page.get_by_test_id("option-generate_audio")).to_be_hidden()
    # veo-3.1-generate-preview at $0.40 a second, 8 seconds unless the form says otherwise.
    expect(cost).to_have_text(f"about $3.20 (estimate, price table of {PRICE_DATE})")
    expect(cost).to_have_attribute("title", PRICE_SOURCE)

    duration.fill("4")
    expect(cost).to_have_text(f"about $1.60 (estimate, price table of {PRICE_DATE})")
    expect(cost).not_to_contain_text("left")

    prompt = "a red fox running through snow"
    page.get_by_test_id("prompt").fill(prompt)
    page.get_by_test_id("generate").click()
    card = page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card).to_have_count(1)
    job_id = int(card.get_attribute("data-job-id") or "0")

    job = stored_job(page, job_id)
    assert (job["provider"], job["options"]) == ("google-veo", {"duration_seconds": 4})
    expect(card).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)


def test_a_hidden_option_is_not_sent_when_the_provider_is_switched_back(admin_page: Page) -> None:
    page = admin_page
    page.goto("/studio/text")
    provider = page.get_by_test_id("provider")
    provider.select_option("google-veo")
    page.get_by_test_id("option-duration_seconds").fill("6")

    provider.select_option("offline")
    expect(page.get_by_test_id("option-duration_seconds")).to_be_hidden()
    prompt = "a paper boat on a puddle"
    page.get_by_test_id("prompt").fill(prompt)
    page.get_by_test_id("generate").click()
    card = page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card).to_have_count(1)

    job = stored_job(page, int(card.get_attribute("data-job-id") or "0"))
    assert (job["provider"], job["options"]) == ("offline", {})


def test_with_google_veo_as_the_default_the_header_claims_no_balance(admin_page: Page) -> None:
    page = admin_page
    page.goto("/settings")
    page.get_by_test_id("pref-provider").select_option("google-veo")
    page.get_by_test_id("save-preferences").click()
    expect(page.get_by_role("status").filter(has_text="Preferences saved").last).to_be_visible()

    page.goto("/studio/text")
    chip = page.get_by_test_id("balance-chip")
    expect(chip.get_by_test_id("balance-value")).to_have_text("billed in US dollars")
    expect(chip).not_to_contain_text("credits")
    expect(page.get_by_test_id("cost")).to_have_text(f"about $3.20 (estimate, price table of {PRICE_DATE})")
