"""One voice per reply, in real Chromium against a real offline server (speech by espeak-ng, the avatar
video rendered by the offline portrait renderer): every audio and video play-state event of the page
is recorded (``media_log.py``) and no sentence is ever audible from two sources at once or started
twice; "▶ Play" and "▶ Watch the video" stop whatever is playing first; the avatar video follows the
speech muted, at the speech's position."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import RENDER_TIMEOUT_MS
from tests.browser.media_log import (
    MEDIA_LOG,
    audible_at_once,
    ended,
    finished,
    happened,
    heard,
    media_log,
    starts,
)

# The speech of a reply, decoded and played at normal speed on a loaded machine.
SPEECH_TIMEOUT_MS = 30_000


def start_session(page: Page) -> None:
    page.add_init_script(MEDIA_LOG)
    page.goto("/tutor")
    page.get_by_test_id("language").select_option("en")
    page.get_by_test_id("start-session").click()
    expect(page).to_have_url(re.compile(r"/tutor/sessions/[0-9a-f-]+$"))
    expect(page.get_by_test_id("connection-status")).to_have_text("Connected")
    expect(page.get_by_test_id("tutor-message")).to_have_count(1)


def reply_ids(page: Page, count: int) -> list[str]:
    """The message ids of the first ``count`` tutor messages, once each has its video."""
    replies = page.get_by_test_id("tutor-message")
    expect(replies).to_have_count(count)
    ids = []
    for i in range(count):
        expect(replies.nth(i)).to_have_attribute("data-video", "ready", timeout=RENDER_TIMEOUT_MS)
        ids.append(replies.nth(i).get_attribute("data-message-id") or "")
    return ids


def test_a_reply_is_heard_once_and_never_from_two_sources(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    page.get_by_test_id("message-input").fill("Do you like coffee?")
    page.get_by_test_id("message-input").press("Enter")
    greeting, reply = reply_ids(page, 2)
    page.wait_for_function(finished(reply), timeout=SPEECH_TIMEOUT_MS)
    # Both videos have come: anything a video_update would wrongly start has started by now.
    page.wait_for_timeout(1000)  # a quiet moment in which nothing may start again; not an assertion

    log = media_log(page)
    assert not audible_at_once(log), audible_at_once(log)[:3]
    assert starts(log, greeting) == 1
    assert starts(log, reply) == 1
    for message in (greeting, reply):
        assert heard(log, message, "audio")
        assert not heard(log, message, "video")  # the video only moves the lips


def test_the_video_joins_the_speech_muted_at_its_position(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    (greeting,) = reply_ids(page, 1)
    page.wait_for_function(ended(greeting), timeout=SPEECH_TIMEOUT_MS)

    # "▶ Play" on a reply whose video is ready: the speech plays and the lips follow it.
    page.get_by_test_id("tutor-message").first.get_by_test_id("play-audio").click()
    page.wait_for_function(happened("ended", "audio", greeting, times=2), timeout=SPEECH_TIMEOUT_MS)
    log = media_log(page)
    assert not audible_at_once(log)
    followed = [
        (video, speech)
        for entry in log
        if entry["type"] == "timeupdate" and entry["tag"] == "video"
        for video in [next(s for s in entry["all"] if s["tag"] == "video")]
        for speech in [
            s for s in entry["all"] if s["tag"] == "audio" and s["playing"] and s["message"] == greeting
        ]
    ]
    assert followed, "the video never played along with the speech"
    assert all(video["muted"] and video["message"] == greeting for video, _ in followed)
    # In step with the speech (a position, not a duration): the last ones, once it has caught up.
    assert all(abs(video["time"] - speech["time"]) < 1.0 for video, speech in followed[-3:]), followed[-3:]
    assert starts(log, greeting) == 2  # the greeting, then the "▶ Play" asked for


def test_play_and_watch_stop_whatever_is_playing_first(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    page.get_by_test_id("message-input").fill("I like trains because they are comfortable.")
    page.get_by_test_id("message-input").press("Enter")
    greeting, reply = reply_ids(page, 2)
    page.wait_for_function(ended(reply), timeout=SPEECH_TIMEOUT_MS)

    tutor = page.get_by_test_id("tutor-message")
    tutor.nth(1).get_by_test_id("play-audio").click()
    page.wait_for_function(happened("playing", "audio", reply, times=2))
    tutor.first.get_by_test_id("play-audio").click()  # an older message, over the reply
    page.wait_for_function(happened("playing", "audio", greeting, times=2))
    tutor.nth(1).get_by_test_id("watch-video").click()  # the reply's video, over the greeting
    page.wait_for_function(
        "() => window.__media.some((e) => e.type === 'playing' && e.tag === 'video' && !e.muted)",
        timeout=SPEECH_TIMEOUT_MS,
    )
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=\"avatar-video\"]'); return v.ended; }",
        timeout=SPEECH_TIMEOUT_MS,
    )

    log = media_log(page)
    assert not audible_at_once(log), audible_at_once(log)[:3]
    assert heard(log, reply, "video")  # watched, with its sound
    speech_after_watch = [
        e
        for e in log[next(i for i, e in enumerate(log) if e["tag"] == "video" and e["audible"]) :]
        if any(s["tag"] == "audio" and s["audible"] for s in e["all"])
    ]
    assert not speech_after_watch  # the greeting stopped when the video started
