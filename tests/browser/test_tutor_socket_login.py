"""A Tutor session page whose learner has been logged out (in another tab) stops reconnecting when
the server closes its socket with 4401, and sends the learner to the login page, coming back after."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_out, set_up_admin


def test_a_logged_out_page_goes_to_the_login_page_instead_of_reconnecting(page: Page) -> None:
    set_up_admin(page)
    page.goto("/tutor")
    page.get_by_test_id("start-session").click()
    expect(page).to_have_url(re.compile(r"/tutor/sessions/[0-9a-f-]+$"))
    expect(page.get_by_test_id("connection-status")).to_have_text("Connected")
    session_path = urlsplit(page.url).path

    other_tab = page.context.new_page()
    other_tab.goto("/studio/text")
    log_out(other_tab)
    page.evaluate("window.tutorSocket.drop()")  # as a network failure would: the page reconnects

    expect(page).to_have_url(re.compile(r"/login\?next=" + re.escape(quote(session_path, safe=""))))
