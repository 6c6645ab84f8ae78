"""The Tutor on a phone (390 by 844 pixels, a touch screen) in real Chromium: every section of the
main menu is on the screen, and on the conversation page the avatar stays in view while the chat
grows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import StudioServer, new_studio_context, watched_page

WIDTH, HEIGHT = 390, 844
LINES = [
    "I like trains because they are comfortable.",
    "Do you like coffee?",
    "I went to Busan last summer with my family.",
    "My sister lives in Jeju.",
    "I am very happy today.",
    "I really like hiking in the mountains.",
]


@pytest.fixture
def phone(browser: Browser, shared_server: StudioServer, admin_state: Any) -> Iterator[Page]:
    """A phone's page of the shared server, logged in as its administrator."""
    browser_context = new_studio_context(
        browser,
        shared_server,
        storage_state=admin_state,
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    try:
        with watched_page(browser_context, shared_server) as page:
            yield page
    finally:
        browser_context.close()


def on_screen(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport."""
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= WIDTH
        and box["y"] + box["height"] <= HEIGHT
    )


@pytest.mark.parametrize("path", ["/tutor", "/studio/text"])
def test_every_section_of_the_main_menu_is_on_the_screen(phone: Page, path: str) -> None:
    phone.goto(path)
    links = phone.get_by_test_id("main-nav").get_by_role("link")
    expect(links.first).to_be_visible()
    assert links.count() >= 7
    for i in range(links.count()):
        link = links.nth(i)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0, (link.inner_text(), box)
        assert box["x"] + box["width"] <= WIDTH, (link.inner_text(), box)
        assert box["y"] + box["height"] <= HEIGHT, (link.inner_text(), box)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH  # nothing off to the side
    phone.get_by_test_id("nav-tutor").tap()
    expect(phone).to_have_url(re.compile(r"/tutor$"))


def test_the_tutors_tabs_fit_the_screen(phone: Page) -> None:
    phone.goto("/tutor")
    tabs = phone.get_by_test_id("tutor-nav").get_by_role("link")
    expect(tabs).to_have_count(4)
    for i in range(4):
        box = tabs.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= WIDTH


def test_the_avatar_stays_in_view_while_chatting(phone: Page) -> None:
    page = phone
    page.goto("/tutor")
    page.get_by_test_id("language").select_option("en")
    page.get_by_test_id("start-session").tap()
    expect(page).to_have_url(re.compile(r"/tutor/sessions/[0-9a-f-]+$"))
    expect(page.get_by_test_id("connection-status")).to_have_text("Connected")
    expect(page.get_by_test_id("tutor-message")).to_have_count(1)

    for count, line in enumerate(LINES, start=2):
        page.get_by_test_id("message-input").fill(line)
        page.get_by_test_id("send-button").tap()
        expect(page.get_by_test_id("tutor-message")).to_have_count(count)
        latest = page.get_by_test_id("tutor-message").last
        expect(latest.get_by_test_id("bubble")).to_be_in_viewport()
        assert on_screen(page, '[data-testid="avatar-video"]'), page.locator(
            '[data-testid="avatar-video"]'
        ).bounding_box()
        assert on_screen(page, '[data-testid="send-button"]')

    # The conversation is longer than the screen: the page has scrolled, and the avatar with it.
    assert page.evaluate("() => window.scrollY") > 0
    assert on_screen(page, '[data-testid="avatar-video"]')
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    page.screenshot(path="/tmp/tutor_phone_session.png")


def _scroll_settled(page: Page) -> None:
    """Wait until the page has stopped scrolling: its scroll position the same over a few frames."""
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const start = window.scrollY;
            let frames = 0;
            const step = () => {
                if (window.scrollY !== start) return resolve(false);
                if (++frames >= 5) return resolve(true);
                requestAnimationFrame(step);
            };
            requestAnimationFrame(step);
        })"""
    )


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_tapping_a_phrase_brings_its_listen_and_record_buttons_into_view(
    phone: Page, motion: Literal["no-preference", "reduce"]
) -> None:
    """The list stacks above the phrase on a phone: a phrase tapped near the bottom of the list
    scrolls the page to its controls, smoothly unless the learner asked for less motion."""
    page = phone
    page.emulate_media(reduced_motion=motion)
    page.goto("/tutor/practice")
    phrases = page.get_by_test_id("phrase")
    expect(phrases).not_to_have_count(0)
    count = phrases.count()
    assert count >= 10
    # The panel the controls appear in starts below the screen.
    panel = page.get_by_test_id("practice-panel").bounding_box()
    assert panel is not None
    assert panel["y"] >= HEIGHT, panel
    chosen = phrases.nth(count - 2)
    chosen.scroll_into_view_if_needed()
    expect(chosen).to_be_in_viewport(ratio=1)
    text = chosen.locator(".phrase-item-en").inner_text()
    chosen.tap()
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("phrase-english")).to_have_text(text)

    listen = page.get_by_test_id("practice-listen")
    record = page.get_by_test_id("practice-record")
    expect(listen).to_be_in_viewport(ratio=1)
    expect(record).to_be_in_viewport(ratio=1)
    _scroll_settled(page)
    assert on_screen(page, '[data-testid="practice-listen"]'), listen.bounding_box()
    assert on_screen(page, '[data-testid="practice-record"]'), record.bounding_box()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    page.screenshot(path=f"/tmp/tutor_phone_practice_{motion}.png")
