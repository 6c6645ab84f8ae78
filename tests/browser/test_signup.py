"""Signing up in a real browser: from the login page's link, through a refused try, to the home page
logged in as a new ordinary user."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    StartServer,
    new_studio_context,
    set_up_admin,
    watched_page,
)

PASSWORD = "a learner's long passphrase"


def test_a_learner_signs_up_on_the_page_and_lands_home_logged_in(
    browser: Browser, start_server: StartServer
) -> None:
    server = start_server(FRAMECAST_WEB__SIGNUP="open", FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN="school.example")
    admin = new_studio_context(browser, server)
    learner = new_studio_context(browser, server)
    try:
        set_up_admin(admin.new_page())
        with watched_page(learner, server) as page:
            page.goto("/login")
            page.get_by_role("link", name="Sign up").click()
            expect(page).to_have_url("/signup")
            expect(page.get_by_text("Sign-up here is for addresses at school.example")).to_be_visible()

            page.get_by_label("Email").fill("lena@example.com")
            page.get_by_label("Name").fill("Lena Park")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Confirm password").fill(PASSWORD)
            page.get_by_role("button", name="Create my account").click()
            expect(page.get_by_test_id("signup-error")).to_have_text(
                "Email: sign-up here is for addresses at school.example (name@school.example)"
            )
            expect(page.get_by_label("Name")).to_have_value("Lena Park")

            page.get_by_label("Email").fill("Lena@School.example")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Confirm password").fill(PASSWORD)
            page.get_by_role("button", name="Create my account").click()

            # A new account is a learner, so it lands on the Tutor rather than on the Studio.
            expect(page).to_have_url("/tutor")
            expect(page.get_by_test_id("current-user")).to_have_text("Lena Park")
            me = page.request.get("/api/me").json()
            assert (me["email"], me["is_admin"]) == ("lena@school.example", False)
    finally:
        admin.close()
        learner.close()
