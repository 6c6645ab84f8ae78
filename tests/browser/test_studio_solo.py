"""Solo studio pages in a real browser: a video made on the offline provider plays in the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import make_text_video

PLAYING_OR_FAILED = "video => video.error !== null || video.currentTime > 0.3"
VIDEO_STATE = """v => ({
  error: v.error && v.error.code, time: v.currentTime, width: v.videoWidth, height: v.videoHeight
})"""


def test_a_text_to_video_on_the_offline_provider_plays_in_the_page(admin_page: Page) -> None:
    admin_page.goto("/studio/text")
    note = admin_page.get_by_test_id("provider-note-offline")
    expect(note).to_be_visible()
    expect(note).to_contain_text("local renderer")

    prompt = "a lighthouse at dusk, waves below"
    make_text_video(admin_page, prompt)
    card = admin_page.get_by_test_id("job-card").filter(has_text=prompt)
    expect(card.get_by_test_id("state")).to_have_text("succeeded")
    video = card.get_by_test_id("result-video")
    video.evaluate("video => { video.muted = true; return video.play(); }")
    handle = video.element_handle()
    admin_page.wait_for_function(PLAYING_OR_FAILED, arg=handle, timeout=10_000)
    state = video.evaluate(VIDEO_STATE)
    assert state["error"] is None
    assert state["time"] > 0.3
    assert (state["width"], state["height"]) == (256, 144)
    download = card.get_by_test_id("download-link")
    assert (download.get_attribute("href") or "").endswith("?download=1")


def test_the_job_is_still_shown_with_its_result_after_a_reload(admin_page: Page) -> None:
    make_text_video(admin_page, "a kite over green hills")
    admin_page.reload()
    card = admin_page.get_by_test_id("job-card").filter(has_text="a kite over green hills")
    expect(card).to_have_attribute("data-state", "succeeded")
    expect(card.get_by_test_id("result-video")).to_have_count(1)


def test_a_text_file_as_the_frame_shows_the_servers_message(admin_page: Page) -> None:
    admin_page.goto("/studio/frames")
    # Named .png, so the browser's own check lets it through; the server reads the content.
    admin_page.get_by_test_id("start_image").set_input_files(
        {"name": "frame.png", "mimeType": "image/png", "buffer": b"these are words, not pixels\n"}
    )
    admin_page.get_by_test_id("prompt").fill("the camera pans left")
    admin_page.get_by_test_id("generate").click()
    error = admin_page.get_by_test_id("form-error")
    expect(error).to_be_visible()
    # Named by the label on the page, not by the form field's internal name (start_image).
    expect(error).to_contain_text("Start frame: not an image (JPEG, PNG or WebP expected)")
    expect(admin_page.get_by_test_id("job-card")).to_have_count(0)


def test_the_form_checks_what_the_server_would_refuse_before_sending(admin_page: Page) -> None:
    admin_page.goto("/studio/frames")
    admin_page.get_by_test_id("prompt").fill("a slow zoom")
    admin_page.get_by_test_id("generate").click()
    expect(admin_page.get_by_test_id("form-error")).to_have_text(
        "Start frame: frames → video needs a start frame"
    )
