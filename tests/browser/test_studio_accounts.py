"""First-run setup, logging out and in, and what a logged-out browser is refused."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_NAME, log_in, log_out, make_text_video, set_up_admin


def test_first_run_setup_creates_the_admin_and_lands_logged_in(page: Page) -> None:
    set_up_admin(page)
    expect(page.get_by_test_id("main-nav").get_by_role("link", name="Users")).to_be_visible()
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    # Setup is a one-time page: once the admin exists it is gone.
    response = page.goto("/setup")
    assert response is not None
    assert response.status == 404


def test_logging_out_and_in_again_returns_to_the_page_asked_for(page: Page) -> None:
    set_up_admin(page)
    log_out(page)
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.goto("/queue")
    expect(page).to_have_url("/login?next=/queue")
    log_in(page, password="not the password")
    expect(page.get_by_role("alert")).to_be_visible()
    log_in(page)
    expect(page).to_have_url("/queue")
    expect(page.get_by_test_id("current-user")).to_have_text(ADMIN_NAME)


def test_after_logout_direct_urls_are_refused(page: Page) -> None:
    set_up_admin(page)
    file_url = make_text_video(page, "a paper boat on a puddle")
    job_id = page.get_by_test_id("job-card").first.get_attribute("data-job-id")
    assert page.request.get(file_url).status == 200
    log_out(page)

    page.goto("/queue")
    expect(page).to_have_url("/login?next=/queue")
    page.goto("/batches/new/aroll")
    expect(page).to_have_url("/login?next=/batches/new/aroll")
    # The browser asks for a page: sent to the login. A script (fetch, EventSource): 401 JSON.
    page.goto(file_url)
    expect(page).to_have_url(f"/login?next={file_url}")
    for url in (file_url, f"/api/jobs/{job_id}", "/api/events"):
        response = page.request.get(url)
        assert response.status == 401, url
        assert response.json()["error"]["type"] == "not_authenticated"
