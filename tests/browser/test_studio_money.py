"""Money in sight, in a real browser: the header balance, the cost next to Generate, the second click
a short balance asks for, honest cancel messages, posters, and checking a pasted key.

The module shares one GenAIPro emulator and one server that sends it one generation at a time. Each
test that cares about credits or timing starts the emulator over (``reset``) with the quota and
latency it needs, and waits for its own jobs to end, so that the next reset finds nothing in flight.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from tests.browser.conftest import (
    RENDER_TIMEOUT_MS,
    StudioServer,
    new_studio_context,
    running_studio,
    set_up_admin,
)

KEY = "emulator-key-5678"
GENAIPRO = "GenAIPro · Veo"
# Long enough that a job is still at the provider while the test clicks Cancel on it.
SLOW_LATENCY_S = 6.0
POSTER_URL = re.compile(r"^/files/\d+/poster$")


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    # One canonical wire form, so the provider's status words are always the same.
    config = EmulatorConfig(api_key=KEY, latency=1.0, media_seconds=1, media_size=96, wire_variants=False)
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture(scope="module")
def shared_server(
    tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorHandle
) -> Iterator[StudioServer]:
    """This module's server: GenAIPro is the emulator, one generation at a time (so a second job
    waits in the queue while the first runs)."""
    with running_studio(
        tmp_path_factory.mktemp("studio"),
        FRAMECAST_GENAIPRO__BASE_URL=emulator.base_url,
        FRAMECAST_GENAIPRO__API_KEY=KEY,
        FRAMECAST_GENAIPRO__IDLE_TIMEOUT_S="3",
        FRAMECAST_GENAIPRO__RECONCILE_GRACE_S="3",
        FRAMECAST_GENAIPRO__RECONCILE_POLL_S="0.3",
        FRAMECAST_GENAIPRO__CONCURRENCY="1",
    ) as server:
        yield server


@pytest.fixture(scope="module")
def admin_state(browser: Browser, shared_server: StudioServer) -> Any:
    """The administrator, with GenAIPro as the default provider (the one the header chip shows)."""
    browser_context = new_studio_context(browser, shared_server)
    try:
        page = browser_context.new_page()
        set_up_admin(page)
        choose_default_provider(page, "genaipro")
        return browser_context.storage_state()
    finally:
        browser_context.close()


def choose_default_provider(page: Page, provider: str) -> None:
    page.goto("/settings")
    page.get_by_test_id("pref-provider").select_option(provider)
    page.get_by_test_id("save-preferences").click()
    expect(page.get_by_role("status").filter(has_text="Preferences saved").last).to_be_visible()


def accept_dialogs(page: Page) -> list[str]:
    """Accept every confirm() of the page; the list collects their questions."""
    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return questions


def open_studio(page: Page, provider: str) -> None:
    page.goto("/studio/text")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    page.get_by_test_id("provider").select_option(provider)


def generate(page: Page, prompt: str, count: int = 1) -> Locator:
    """Fill the studio form the page is on and click Generate once; the job's card."""
    page.get_by_test_id("prompt").fill(prompt)
    page.get_by_test_id("count").fill(str(count))
    page.get_by_test_id("generate").click()
    card = page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card).to_have_count(1)
    return card


def job_id_of(card: Locator) -> int:
    return int(card.get_attribute("data-job-id") or "0")


def wait_until_sent(page: Page, job_id: int) -> None:
    """Until the server says the job is with the provider (``sent``: it can no longer be un-paid)."""
    page.wait_for_function(
        "async id => (await (await fetch(`/api/jobs/${id}`)).json()).sent === true",
        arg=job_id,
        polling=200,
        timeout=RENDER_TIMEOUT_MS,
    )


def chip(page: Page) -> Locator:
    return page.get_by_test_id("balance-chip")


# --- the header chip and the cost next to Generate -----------------------------------------------


def test_the_header_chip_shows_the_preferred_providers_credits_and_hides_for_the_offline_one(
    admin_page: Page, emulator: EmulatorHandle
) -> None:
    emulator.reset()  # no quota set: the emulator reports a million credits
    admin_page.goto("/settings")
    expect(chip(admin_page)).to_be_visible()
    expect(chip(admin_page).get_by_test_id("balance-label")).to_have_text(GENAIPRO)
    expect(chip(admin_page).get_by_test_id("balance-value")).to_have_text("1,000,000 credits")

    choose_default_provider(admin_page, "offline")
    # Saving the preference is enough: the chip follows without a reload.
    expect(chip(admin_page)).to_be_hidden()
    admin_page.goto("/library")
    expect(admin_page.get_by_test_id("current-user")).to_be_visible()
    expect(chip(admin_page)).to_be_hidden()

    choose_default_provider(admin_page, "genaipro")
    expect(chip(admin_page)).to_be_visible()
    expect(chip(admin_page).get_by_test_id("balance-value")).to_have_text("1,000,000 credits")


BALANCE_READS_SINCE_THE_JOB_ENDED = """() => performance.getEntriesByType("resource").filter(
  entry => new URL(entry.name).pathname === "/api/balance" && entry.startTime >= window.jobEndedAt
).length"""


def test_after_a_paid_job_ends_the_chip_and_the_cost_show_the_lower_balance_without_a_reload(
    admin_page: Page, emulator: EmulatorHandle
) -> None:
    emulator.reset(quota=2500)
    # Before the page's own scripts: when the first job ended, as the page was told.
    admin_page.add_init_script(
        'addEventListener("framecast:job-ended", () => { window.jobEndedAt ??= performance.now(); });'
    )
    open_studio(admin_page, "genaipro")
    studio_title = admin_page.title()
    expect(chip(admin_page).get_by_test_id("balance-value")).to_have_text("2,500 credits")
    expect(admin_page.get_by_test_id("cost")).to_have_text("1 credit · 2,499 left")

    card = generate(admin_page, "a paper boat on a puddle")
    expect(card).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)
    # A downloaded paid video gets its poster too.
    expect(card.get_by_test_id("result-video")).to_have_attribute("poster", POSTER_URL)
    expect(chip(admin_page).get_by_test_id("balance-value")).to_have_text("2,499 credits")
    expect(admin_page.get_by_test_id("cost")).to_have_text("1 credit · 2,498 left")
    # The chip read the balance again because the job ended, not only when it was queued.
    assert admin_page.evaluate(BALANCE_READS_SINCE_THE_JOB_ENDED) >= 1

    # The tab says the job ended until the page is touched again.
    expect(admin_page).to_have_title(re.compile(rf"^✓ Job #{job_id_of(card)} succeeded"))
    admin_page.get_by_role("heading", name="Studio", exact=True).click()
    expect(admin_page).to_have_title(studio_title)


def test_the_cost_next_to_generate_follows_the_count_and_the_provider(
    admin_page: Page, emulator: EmulatorHandle
) -> None:
    emulator.reset(quota=2500)
    open_studio(admin_page, "genaipro")
    cost = admin_page.get_by_test_id("cost")
    expect(cost).to_have_text("1 credit · 2,499 left")
    admin_page.get_by_test_id("count").fill("2")
    expect(cost).to_have_text("2 credits · 2,498 left")
    expect(cost).to_have_attribute("data-state", "ok")
    admin_page.get_by_test_id("count").fill("4")
    expect(cost).to_have_text("4 credits · 2,496 left")

    admin_page.get_by_test_id("provider").select_option("offline")
    expect(cost).to_be_hidden()
    expect(cost).to_have_text("")
    admin_page.get_by_test_id("provider").select_option("genaipro")
    expect(cost).to_have_text("4 credits · 2,496 left")


def test_a_balance_short_of_the_cost_asks_for_a_second_click_before_generating(
    admin_page: Page, emulator: EmulatorHandle
) -> None:
    emulator.reset(quota=1)
    open_studio(admin_page, "genaipro")
    prompt = "two foxes in the snow"
    admin_page.get_by_test_id("prompt").fill(prompt)
    admin_page.get_by_test_id("count").fill("2")
    cost = admin_page.get_by_test_id("cost")
    expect(cost).to_have_text("2 credits · only 1 available")
    expect(cost).to_have_attribute("data-state", "short")

    button = admin_page.get_by_test_id("generate")
    label = button.inner_text()
    button.click()
    expect(button).to_have_class(re.compile(r"\bconfirming\b"))
    expect(button).to_have_text("Only 1 credit left for 2 credits: click again to generate anyway")
    # The button answered the click without sending anything.
    listed = admin_page.evaluate(
        "async () => (await (await fetch('/api/jobs')).json()).items.map(job => job.prompt)"
    )
    assert prompt not in listed
    expect(admin_page.get_by_test_id("job-card").filter(has_text=prompt)).to_have_count(0)

    button.click()
    card = admin_page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card).to_have_count(1)
    expect(button).to_have_text(label)
    expect(button).not_to_have_class(re.compile(r"\bconfirming\b"))
    # The provider refuses what the balance does not cover, and the card says so.
    expect(card).to_have_attribute("data-state", "failed", timeout=RENDER_TIMEOUT_MS)
    expect(card.get_by_test_id("job-error")).to_contain_text("(quota)")


# --- cancelling: free before sending, impossible after -------------------------------------------


def test_a_sent_job_cannot_be_cancelled_and_still_succeeds_while_a_queued_one_is_cancelled_for_free(
    admin_page: Page, emulator: EmulatorHandle
) -> None:
    emulator.reset(latency=SLOW_LATENCY_S)
    questions = accept_dialogs(admin_page)
    open_studio(admin_page, "genaipro")
    sent_card = generate(admin_page, "a tram climbing a hill at night")
    # One generation at a time: the second job waits while the first is at the provider.
    queued_card = generate(admin_page, "a lantern floating down a river")
    sent_id, queued_id = job_id_of(sent_card), job_id_of(queued_card)

    expect(sent_card).to_have_attribute("data-state", "running")
    wait_until_sent(admin_page, sent_id)
    # A status from the provider itself: the card has been redrawn since the job was sent.
    expect(sent_card).to_contain_text("processing")
    expect(queued_card).to_have_attribute("data-state", "queued")

    sent_card.get_by_test_id("cancel").click()
    notice = sent_card.get_by_test_id("job-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(
        f"Job {sent_id} was already sent to {GENAIPRO}, so it cannot be cancelled: it will finish "
        "and be charged, and its result will be kept."
    )
    assert len(questions) == 1
    assert f"Job #{sent_id} was already sent to {GENAIPRO}." in questions[0]

    queued_card.get_by_test_id("cancel").click()
    expect(queued_card).to_have_attribute("data-state", "cancelled")
    expect(queued_card.get_by_test_id("job-notice")).to_have_text(
        f"Job #{queued_id} cancelled; nothing was charged."
    )
    assert len(questions) == 2
    assert "has not been sent yet, so nothing is charged" in questions[1]

    expect(sent_card).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)
    expect(sent_card.get_by_test_id("result-video")).to_have_count(1)
    expect(sent_card.get_by_test_id("charged")).to_be_visible()
    expect(queued_card).to_have_attribute("data-state", "cancelled")


def frame_png(tmp_path: Path) -> Path:
    path = tmp_path / "frame.png"
    Image.new("RGB", (320, 180), (200, 120, 30)).save(path)
    return path


def batch_item(page: Page, key: str) -> Locator:
    return page.locator(f'[data-testid="batch-item"][data-key="{key}"]')


def test_a_batch_item_and_then_the_rest_of_the_batch_are_cancelled_with_a_summary(
    admin_page: Page, emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.reset(latency=SLOW_LATENCY_S)
    accept_dialogs(admin_page)
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"{key}\nthe {key} shot, slow pan\n\n" for key in ("one", "two", "three")))
    admin_page.goto("/batches/new/aroll")
    admin_page.get_by_test_id("batch-file").set_input_files(prompts)
    admin_page.get_by_test_id("frame").set_input_files(frame_png(tmp_path))
    admin_page.get_by_test_id("provider").select_option("genaipro")
    admin_page.get_by_test_id("preview").click()
    expect(admin_page.get_by_test_id("preview-item")).to_have_count(3)
    admin_page.get_by_test_id("start").click()
    expect(admin_page).to_have_url(re.compile(r"/batches/\d+$"))
    batch_id = int(admin_page.url.rsplit("/", 1)[1])
    expect(admin_page.get_by_test_id("batch-item")).to_have_count(3)

    # The first item is at the provider; the other two wait their turn.
    first = batch_item(admin_page, "one")
    expect(first).to_have_attribute("data-state", "running", timeout=RENDER_TIMEOUT_MS)
    admin_page.wait_for_function(
        """async id => {
          const batch = await (await fetch(`/api/batches/${id}`)).json();
          return batch.items.find(item => item.key === "one").sent === true;
        }""",
        arg=batch_id,
        polling=200,
        timeout=RENDER_TIMEOUT_MS,
    )
    notice = admin_page.get_by_test_id("batch-notice")
    first.get_by_test_id("cancel-item").click()
    expect(notice).to_have_text(
        f"Item one was already sent to {GENAIPRO}, so it cannot be cancelled: it will finish and be "
        "charged, and its result will be kept."
    )

    batch_item(admin_page, "two").get_by_test_id("cancel-item").click()
    expect(notice).to_have_text("Stopped 1 item.")
    expect(batch_item(admin_page, "two")).to_have_attribute("data-state", "cancelled")

    admin_page.get_by_test_id("cancel-batch").click()
    expect(notice).to_have_text(
        f"Stopped 1 item. 1 item was already sent to {GENAIPRO}: it will finish and be charged, "
        "and its result will be kept."
    )
    expect(batch_item(admin_page, "three")).to_have_attribute("data-state", "cancelled")
    expect(first).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)
    expect(admin_page.get_by_test_id("count-succeeded")).to_have_text("1 succeeded")
    expect(admin_page.get_by_test_id("count-cancelled")).to_have_text("2 cancelled")


# --- posters -------------------------------------------------------------------------------------

FETCH_POSTER = """async url => {
  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const head = Array.from(bytes.slice(0, 3));
  return {status: response.status, type: response.headers.get("content-type"), head};
}"""


def test_a_finished_video_has_a_jpeg_poster_in_the_library_and_a_thumbnail_in_the_queue(
    admin_page: Page,
) -> None:
    prompt = "a windmill turning in a poster wind"
    open_studio(admin_page, "offline")
    card = generate(admin_page, prompt)
    expect(card).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)

    admin_page.goto("/library")
    admin_page.get_by_test_id("library-search").fill("windmill")
    item = admin_page.get_by_test_id("library-item").filter(has_text=prompt)
    expect(item).to_have_count(1)
    file_id = item.get_attribute("data-file-id")
    video = item.get_by_test_id("result-video")
    expect(video).to_have_attribute("poster", f"/files/{file_id}/poster")
    # The poster stands in for the video: nothing of the video is fetched until it is played.
    expect(video).to_have_attribute("preload", "none")
    poster = admin_page.evaluate(FETCH_POSTER, f"/files/{file_id}/poster")
    assert poster["status"] == 200
    assert poster["type"] == "image/jpeg"
    assert poster["head"] == [0xFF, 0xD8, 0xFF]

    admin_page.goto("/queue")
    row = admin_page.get_by_test_id("queue-row").filter(has_text=prompt)
    expect(row).to_have_attribute("data-state", "succeeded")
    thumb = row.get_by_test_id("thumb")
    expect(thumb).to_have_attribute("src", f"/files/{file_id}/poster")
    admin_page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())


# --- settings: a pasted key is checked, not stored -----------------------------------------------


def test_check_key_tries_a_pasted_key_without_storing_it(admin_page: Page) -> None:
    admin_page.goto("/settings")
    card = admin_page.locator('[data-testid="key-card"][data-provider="genaipro"]')
    status = card.get_by_test_id("key-status")
    expect(status).to_have_text("no key of yours")

    card.get_by_test_id("key-input").fill("a-wrong-key-0000")
    card.get_by_test_id("check-key").click()
    expect(card.get_by_test_id("key-error")).to_have_text(
        f"API key: {GENAIPRO} refused this key (HTTP 401); check that it was pasted whole"
    )
    expect(card.get_by_test_id("key-ok")).to_be_hidden()

    card.get_by_test_id("key-input").fill(KEY)
    card.get_by_test_id("check-key").click()
    expect(card.get_by_test_id("key-ok")).to_contain_text("The pasted key works")
    expect(card.get_by_test_id("key-error")).to_be_hidden()
    expect(status).to_have_text("no key of yours")

    admin_page.reload()
    expect(status).to_have_text("no key of yours")
    assert admin_page.evaluate("async () => (await fetch('/api/account/keys')).json()") == []
