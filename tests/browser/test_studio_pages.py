"""Queue, library, provider history, settings and the users page, driven in a real browser.

The module shares one server whose GenAIPro provider is the emulator (platform key ``k``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from tests.browser.conftest import (
    RENDER_TIMEOUT_MS,
    StudioServer,
    log_in,
    make_text_video,
    new_studio_context,
    running_studio,
    watched_page,
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with running_emulator(EmulatorConfig(api_key="k", latency=0.5, media_seconds=1, media_size=96)) as handle:
        yield handle


@pytest.fixture(scope="module")
def shared_server(
    tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorHandle
) -> Iterator[StudioServer]:
    """This module's server: the conftest's shared one, with the emulator as GenAIPro."""
    with running_studio(
        tmp_path_factory.mktemp("studio"),
        FRAMECAST_GENAIPRO__BASE_URL=emulator.base_url,
        FRAMECAST_GENAIPRO__API_KEY="k",
        FRAMECAST_GENAIPRO__IDLE_TIMEOUT_S="3",
    ) as server:
        yield server


def accept_dialogs(page: Page) -> None:
    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.on("dialog", accept)


def test_the_queue_lists_the_users_jobs_and_filters_them_by_state(admin_page: Page) -> None:
    make_text_video(admin_page, "a queue of ducks crossing a road")
    admin_page.goto("/queue")
    row = admin_page.get_by_test_id("queue-row").filter(has_text="a queue of ducks")
    expect(row).to_have_attribute("data-state", "succeeded")
    admin_page.get_by_test_id("state-filter").select_option("failed")
    expect(row).to_have_count(0)
    expect(admin_page.get_by_test_id("no-jobs")).to_be_visible()
    admin_page.get_by_test_id("state-filter").select_option("succeeded")
    expect(row).to_have_count(1)


def test_a_deleted_library_file_comes_back_by_import_from_provider_history(admin_page: Page) -> None:
    prompt = "a hot air balloon over a canyon"
    admin_page.goto("/studio/text")
    admin_page.get_by_test_id("provider").select_option("genaipro")
    admin_page.get_by_test_id("prompt").fill(prompt)
    admin_page.get_by_test_id("generate").click()
    card = admin_page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card).to_have_attribute("data-state", "succeeded", timeout=RENDER_TIMEOUT_MS)

    accept_dialogs(admin_page)
    admin_page.goto("/library")
    admin_page.get_by_test_id("library-search").fill("balloon")
    item = admin_page.get_by_test_id("library-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("result-video")).to_have_count(1)
    item.get_by_test_id("delete-file").click()
    expect(item).to_have_count(0)
    expect(admin_page.get_by_test_id("no-files")).to_be_visible()

    admin_page.goto("/history")
    row = admin_page.get_by_test_id("history-row").filter(has_text=prompt)
    expect(row).to_have_count(1)
    row.get_by_test_id("import").click()
    # The import is a job: the button says so until a worker has the file in the library.
    expect(row.get_by_test_id("imported")).to_have_text("In library (1)", timeout=RENDER_TIMEOUT_MS)

    admin_page.goto("/library")
    admin_page.get_by_test_id("library-search").fill("balloon")
    expect(admin_page.get_by_test_id("library-item")).to_have_count(1)


def test_settings_store_check_and_delete_a_key_with_the_quota_shown(admin_page: Page) -> None:
    accept_dialogs(admin_page)
    admin_page.goto("/settings")
    card = admin_page.locator('[data-testid="key-card"][data-provider="genaipro"]')
    # The platform key answers until the user stores one of their own.
    expect(card.get_by_test_id("quota-available")).to_have_text(re.compile(r"^[0-9,]+$"))
    expect(card.get_by_test_id("key-status")).to_have_text("no key of yours")

    card.get_by_test_id("key-input").fill("not-the-right-key-9876")
    card.get_by_test_id("save-key").click()
    expect(card.get_by_test_id("key-status")).to_have_text("your key …9876")
    card.get_by_test_id("check-key").click()
    expect(card.get_by_test_id("key-error")).to_be_visible()
    expect(card.get_by_test_id("key-error")).not_to_be_empty()

    card.get_by_test_id("delete-key").click()
    expect(card.get_by_test_id("key-status")).to_have_text("no key of yours")
    card.get_by_test_id("check-key").click()
    expect(card.get_by_test_id("key-ok")).to_contain_text("platform key works")


def test_preferences_set_the_studio_defaults(admin_page: Page) -> None:
    for aspect in ("portrait", "landscape"):
        admin_page.goto("/settings")
        admin_page.get_by_test_id("pref-aspect").select_option(aspect)
        admin_page.get_by_test_id("save-preferences").click()
        expect(admin_page.get_by_role("status").filter(has_text="Preferences saved")).to_be_visible()
        admin_page.goto("/studio/text")
        expect(admin_page.get_by_test_id("aspect")).to_have_value(aspect)


def test_an_invitation_link_from_the_users_page_makes_a_working_account(
    admin_page: Page, browser: Browser, shared_server: StudioServer
) -> None:
    admin_page.goto("/admin/users")
    form = admin_page.get_by_test_id("invite-form")
    form.get_by_label("Name").fill("Ivy Invited")
    form.get_by_label("Email").fill("ivy@example.com")
    form.get_by_test_id("create-invite").click()
    link = admin_page.get_by_test_id("invite-url")
    expect(link).to_have_value(re.compile(r"/invite/[A-Za-z0-9_-]+$"))
    invite_url = link.input_value()

    guest_context = new_studio_context(browser, shared_server)
    try:
        with watched_page(guest_context, shared_server) as guest:
            guest.goto(invite_url)
            expect(guest.get_by_role("heading", name="Join Framecast")).to_be_visible()
            guest.fill("#password", "ivy's own long password")
            guest.fill("#password_confirm", "ivy's own long password")
            guest.get_by_role("button", name="Create my account").click()
            expect(guest).to_have_url("/studio/text")
            expect(guest.get_by_test_id("current-user")).to_have_text("Ivy Invited")
            # Not an administrator: no users page for her.
            expect(guest.get_by_test_id("main-nav").get_by_role("link", name="Users")).to_have_count(0)
    finally:
        guest_context.close()

    admin_page.reload()
    expect(admin_page.locator('[data-testid="user-row"][data-email="ivy@example.com"]')).to_be_visible()


def test_an_admin_creates_a_user_who_can_then_log_in(
    admin_page: Page, browser: Browser, shared_server: StudioServer
) -> None:
    admin_page.goto("/admin/users")
    form = admin_page.get_by_test_id("create-user-form")
    form.get_by_label("Name").fill("Carl Created")
    form.get_by_label("Email").fill("carl@example.com")
    form.get_by_label("Password").fill("carl's chosen password")
    form.get_by_test_id("create-user").click()
    expect(admin_page.locator('[data-testid="user-row"][data-email="carl@example.com"]')).to_be_visible()

    guest_context = new_studio_context(browser, shared_server)
    try:
        with watched_page(guest_context, shared_server) as guest:
            guest.goto("/library")
            log_in(guest, "carl@example.com", "carl's chosen password")
            expect(guest).to_have_url("/library")
            # A new user's library is empty: the admin's files are not theirs to see.
            expect(guest.get_by_test_id("no-files")).to_be_visible()
    finally:
        guest_context.close()
