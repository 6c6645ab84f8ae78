"""Account security in a real browser: changing one's password on the Settings page, pending
invitations on the Users page, and an admin's password reset link."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    StudioServer,
    log_in,
    new_studio_context,
    watched_page,
)


def admin_api(server: StudioServer) -> httpx.Client:
    token = httpx.post(
        f"{server.base_url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    ).json()["access_token"]
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"})


def create_user(server: StudioServer, email: str, name: str, password: str) -> None:
    with admin_api(server) as api:
        response = api.post("/api/users", json={"email": email, "name": name, "password": password})
        assert response.status_code == 201, response.text


def test_a_user_changes_their_password_and_their_other_browser_is_logged_out(
    admin_page: Page, browser: Browser, shared_server: StudioServer
) -> None:
    create_user(shared_server, "paula@example.com", "Paula", "paula's first password")
    here = new_studio_context(browser, shared_server)
    elsewhere = new_studio_context(browser, shared_server)
    try:
        with watched_page(here, shared_server) as page, watched_page(elsewhere, shared_server) as other:
            for each in (page, other):
                each.goto("/settings")
                log_in(each, "paula@example.com", "paula's first password")
                expect(each).to_have_url("/settings")

            form = page.get_by_test_id("password-form")
            form.get_by_label("Current password").fill("paula's first password")
            form.get_by_label("New password", exact=True).fill("1234567890")
            form.get_by_label("New password again").fill("1234567890")
            form.get_by_test_id("change-password").click()
            expect(page.get_by_test_id("password-error")).to_contain_text(
                "New password: this is one of the most common passwords"
            )

            form.get_by_label("New password", exact=True).fill("paula's second password")
            form.get_by_label("New password again").fill("paula's second password")
            form.get_by_test_id("change-password").click()
            expect(page.get_by_test_id("password-ok")).to_contain_text(
                "Password changed. Ended elsewhere: 1 session"
            )
            expect(page.get_by_test_id("password-error")).to_be_hidden()

            page.reload()
            expect(page.get_by_test_id("current-user")).to_have_text("Paula")
            other.reload()
            expect(other).to_have_url("/login?next=/settings")
            log_in(other, "paula@example.com", "paula's second password")
            expect(other).to_have_url("/settings")
    finally:
        here.close()
        elsewhere.close()


def test_a_pending_invitation_is_listed_and_a_revoked_link_stops_working(
    admin_page: Page, browser: Browser, shared_server: StudioServer
) -> None:
    admin_page.goto("/admin/users")
    form = admin_page.get_by_test_id("invite-form")
    form.get_by_label("Name").fill("Rita Revoked")
    form.get_by_label("Email").fill("rita@example.com")
    form.get_by_test_id("create-invite").click()
    link = admin_page.get_by_test_id("invite-url")
    expect(link).to_have_value(re.compile(rf"^{re.escape(shared_server.base_url)}/invite/[A-Za-z0-9_-]+$"))
    invite_url = link.input_value()
    row = admin_page.locator('[data-testid="invite-row"][data-email="rita@example.com"]')
    expect(row).to_contain_text("Ada Admin")

    admin_page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_test_id("revoke-invite").click()
    expect(row).to_have_count(0)

    guest_context = new_studio_context(browser, shared_server)
    try:
        with watched_page(guest_context, shared_server) as guest:
            response = guest.goto(invite_url)
            assert response is not None
            assert response.status == 404
            expect(guest.get_by_text("was revoked")).to_be_visible()
    finally:
        guest_context.close()


def test_an_admins_reset_link_lets_the_user_set_a_new_password(
    admin_page: Page, browser: Browser, shared_server: StudioServer
) -> None:
    create_user(shared_server, "lou@example.com", "Lou Lost", "lou's forgotten password")
    admin_page.goto("/admin/users")
    admin_page.locator('[data-testid="user-row"][data-email="lou@example.com"]').get_by_test_id(
        "reset-link"
    ).click()
    link = admin_page.get_by_test_id("reset-url")
    expect(link).to_have_value(re.compile(rf"^{re.escape(shared_server.base_url)}/reset/[A-Za-z0-9_-]+$"))
    expect(admin_page.get_by_test_id("reset-for")).to_contain_text("Lou Lost")
    reset_url = link.input_value()

    guest_context = new_studio_context(browser, shared_server)
    try:
        with watched_page(guest_context, shared_server) as guest:
            guest.goto(reset_url)
            expect(guest.get_by_role("heading", name="Set a new password")).to_be_visible()
            guest.get_by_label("New password", exact=True).fill("lou's remembered password")
            guest.get_by_label("New password again").fill("lou's remembered password")
            guest.get_by_role("button", name="Set the new password").click()
            expect(guest).to_have_url("/studio/text")
            expect(guest.get_by_test_id("current-user")).to_have_text("Lou Lost")
            response = guest.goto(reset_url)
            assert response is not None
            assert response.status == 404
    finally:
        guest_context.close()
