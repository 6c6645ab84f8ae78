"""A batch rehearsed on the offline renderer, then re-run on GenAIPro (the emulator) from its page:
the cost in credits first, a confirmation, the same ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from tests.browser.conftest import StartServer, StudioServer, new_studio_context, set_up_admin, watched_page

KEYS = ["intro", "city", "outro"]
PROMPTS = "\n\n".join(f"{key}\nthe {key} scene, slow camera move" for key in KEYS) + "\n"
BATCH_TIMEOUT_MS = 25_000


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(api_key="k", latency=0.3, quota=100, media_seconds=1, media_size=96)
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def studio(browser: Browser, start_server: StartServer, emulator: EmulatorHandle) -> Iterator[Page]:
    server: StudioServer = start_server(
        FRAMECAST_GENAIPRO__BASE_URL=emulator.base_url,
        FRAMECAST_GENAIPRO__API_KEY="k",
        FRAMECAST_OFFLINE__SECONDS="1",
        FRAMECAST_OFFLINE__SHORT_SIDE="144",
    )
    browser_context = new_studio_context(browser, server)
    try:
        with watched_page(browser_context, server) as page:
            yield page
    finally:
        browser_context.close()


def test_an_offline_rehearsal_is_rerun_on_genaipro_from_its_page_after_the_cost_is_shown(
    studio: Page, emulator: EmulatorHandle, tmp_path: Path
) -> None:
    page = studio
    set_up_admin(page)
    prompts = tmp_path / "prompts.txt"
    prompts.write_text(PROMPTS, encoding="utf-8")
    frame = tmp_path / "frame.png"
    Image.new("RGB", (320, 180), (30, 120, 200)).save(frame)
    page.goto("/batches/new/aroll")
    page.get_by_test_id("batch-file").set_input_files(prompts)
    page.get_by_test_id("frame").set_input_files(frame)
    page.get_by_test_id("provider").select_option("offline")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-item")).to_have_count(3)
    page.get_by_test_id("start").click()
    expect(page).to_have_url(re.compile(r"/batches/\d+$"))
    rehearsal = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("batch-provider")).to_have_text("On Offline renderer (local, free)")
    succeeded = page.locator('[data-testid="batch-item"][data-state="succeeded"]')
    expect(succeeded).to_have_count(3, timeout=BATCH_TIMEOUT_MS)

    # The offer names only the other providers, and shows the cost before anything is sent.
    expect(page.get_by_test_id("rerun-panel")).to_be_visible()
    choices = page.get_by_test_id("rerun-provider").locator("option")
    assert "offline" not in choices.evaluate_all("options => options.map(o => o.value)")
    page.get_by_test_id("rerun-provider").select_option("genaipro")
    page.get_by_test_id("rerun").click()
    expect(page.get_by_test_id("rerun-cost")).to_have_text("3 items on GenAIPro · Veo: 3 credits · 97 left")
    assert emulator.stats()["accepted"] == 0
    confirm = page.get_by_test_id("rerun-confirm")
    expect(confirm).to_have_text("Send 3 items to GenAIPro · Veo")
    confirm.click()

    expect(page).not_to_have_url(re.compile(rf"/batches/{rehearsal}$"))
    expect(page).to_have_url(re.compile(r"/batches/\d+$"))
    expect(page.get_by_test_id("batch-provider")).to_have_text(
        f"On GenAIPro · Veo · a re-run of batch #{rehearsal}"
    )
    expect(succeeded).to_have_count(3, timeout=BATCH_TIMEOUT_MS)
    keys = page.get_by_test_id("batch-item").evaluate_all("rows => rows.map(row => row.dataset.key)")
    assert keys == KEYS
    expect(page.get_by_test_id("item-download")).to_have_count(3)
    assert emulator.stats()["accepted"] == 3
    # Re-running it again on GenAIPro would be resuming: the page offers only the others.
    rerun_choices = page.get_by_test_id("rerun-provider").locator("option")
    assert "genaipro" not in rerun_choices.evaluate_all("options => options.map(o => o.value)")
