"""A 5-item A-roll batch against the GenAIPro emulator, in a real browser, with a reload mid-way."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from tests.browser.conftest import StartServer, StudioServer, new_studio_context, set_up_admin, watched_page

KEYS = ["intro", "city", "forest", "river", "outro"]
PROMPTS = "\n\n".join(f"{key}\nthe {key} scene, slow camera move" for key in KEYS) + "\n"
BATCH_TIMEOUT_MS = 25_000


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    with running_emulator(EmulatorConfig(api_key="k", latency=1.0, media_seconds=1, media_size=96)) as handle:
        yield handle


@pytest.fixture
def genaipro_server(start_server: StartServer, emulator: EmulatorHandle) -> StudioServer:
    # One generation at a time, so the batch is certainly still running when the page reloads.
    return start_server(
        FRAMECAST_GENAIPRO__BASE_URL=emulator.base_url,
        FRAMECAST_GENAIPRO__API_KEY="k",
        FRAMECAST_GENAIPRO__IDLE_TIMEOUT_S="3",
        FRAMECAST_GENAIPRO__RECONCILE_GRACE_S="3",
        FRAMECAST_GENAIPRO__RECONCILE_POLL_S="0.3",
        FRAMECAST_GENAIPRO__CONCURRENCY="1",
    )


@pytest.fixture
def batch_page(browser: Browser, genaipro_server: StudioServer) -> Iterator[Page]:
    browser_context = new_studio_context(browser, genaipro_server)
    try:
        with watched_page(browser_context, genaipro_server) as page:
            yield page
    finally:
        browser_context.close()


def frame_png(tmp_path: Path) -> Path:
    path = tmp_path / "frame.png"
    Image.new("RGB", (320, 180), (30, 120, 200)).save(path)
    return path


def start_aroll_batch(page: Page, tmp_path: Path) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text(PROMPTS, encoding="utf-8")
    page.goto("/batches/new/aroll")
    page.get_by_test_id("batch-file").set_input_files(prompts)
    page.get_by_test_id("frame").set_input_files(frame_png(tmp_path))
    page.get_by_test_id("provider").select_option("genaipro")
    expect(page.get_by_test_id("provider-note-offline")).to_be_hidden()
    page.get_by_test_id("preview").click()

    rows = page.get_by_test_id("preview-item")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("the intro scene, slow camera move")
    expect(rows.first).to_contain_text("frame.png")
    expect(page.get_by_test_id("credits-needed")).to_have_text("5")
    expect(page.get_by_test_id("quota-warning")).to_be_hidden()
    page.get_by_test_id("start").click()
    expect(page).to_have_url(re.compile(r"/batches/\d+$"))


ENDED = (
    '[data-testid="batch-item"]:is([data-state="succeeded"], [data-state="failed"], [data-state="cancelled"])'
)


def item(page: Page, key: str) -> Locator:
    return page.locator(f'[data-testid="batch-item"][data-key="{key}"]')


def test_an_aroll_batch_re_attaches_after_a_reload_and_downloads_as_a_zip(
    batch_page: Page, tmp_path: Path
) -> None:
    page = batch_page
    set_up_admin(page)
    start_aroll_batch(page, tmp_path)
    expect(page.get_by_test_id("batch-item")).to_have_count(5)
    succeeded = page.locator('[data-testid="batch-item"][data-state="succeeded"]')
    expect(succeeded.first).to_be_visible(timeout=BATCH_TIMEOUT_MS)

    page.reload()
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    # One generation at a time: items are still waiting, and the fresh page learns about them
    # only from the event stream it re-opened.
    page.wait_for_function("() => window.framecastEvents.jobEvents > 0", timeout=BATCH_TIMEOUT_MS)
    expect(succeeded).to_have_count(5, timeout=BATCH_TIMEOUT_MS)
    expect(page.get_by_test_id("count-succeeded")).to_have_text("5 succeeded")
    expect(page.get_by_test_id("pause")).to_be_hidden()
    expect(page.get_by_test_id("failed-csv")).to_be_hidden()

    # The finished batch asks for its zip on its own; a worker builds it while the page polls.
    expect(page.get_by_test_id("zip-parts")).to_have_attribute("data-state", "succeeded")
    part = page.get_by_test_id("zip-part")
    expect(part).to_have_count(1)
    expect(page.get_by_test_id("prepare-zip")).to_have_text("Prepare zip")
    with page.expect_download() as info:
        part.click()
    with zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{key}.mp4" for key in KEYS)
        for name in names:
            assert archive.read(name)[4:8] == b"ftyp", name

    # Asked again with nothing changed: the same part at once, no new build.
    page.get_by_test_id("prepare-zip").click()
    expect(page.get_by_test_id("zip-parts")).to_have_attribute("data-state", "succeeded")
    expect(part).to_have_count(1)

    results = page.request.get(page.get_by_test_id("results-csv").get_attribute("href") or "")
    assert results.status == 200
    assert all(key in results.text() for key in KEYS)


def test_a_batch_is_paused_cancelled_and_retried_item_by_item_from_its_page(
    batch_page: Page, tmp_path: Path
) -> None:
    page = batch_page
    page.on("dialog", lambda dialog: dialog.accept())
    set_up_admin(page)
    start_aroll_batch(page, tmp_path)
    expect(page.locator('[data-testid="batch-item"][data-state="succeeded"]').first).to_be_visible(
        timeout=BATCH_TIMEOUT_MS
    )
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("paused-badge")).to_be_visible()
    expect(page.locator('[data-testid="batch-item"][data-state="paused"]').first).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("paused-badge")).to_be_visible()
    expect(page.get_by_test_id("resume")).to_be_visible()
    page.get_by_test_id("cancel-batch").click()
    expect(page.locator(ENDED)).to_have_count(5, timeout=BATCH_TIMEOUT_MS)
    expect(page.get_by_test_id("failed-csv")).to_be_visible()
    cancelled = page.locator('[data-testid="batch-item"][data-state="cancelled"]')
    keys = [key for key in cancelled.evaluate_all("rows => rows.map(row => row.dataset.key)") if key]
    assert keys, "cancelling left nothing to retry"

    for key in keys:
        item(page, key).get_by_test_id("retry-item").click()
        # The batch is still paused, so a retried item waits with it.
        expect(item(page, key)).to_have_attribute("data-state", "paused")
    page.get_by_test_id("resume").click()
    expect(page.get_by_test_id("paused-badge")).to_be_hidden()
    expect(page.locator('[data-testid="batch-item"][data-state="succeeded"]')).to_have_count(
        5, timeout=BATCH_TIMEOUT_MS
    )
    expect(page.get_by_test_id("failed-csv")).to_be_hidden()
