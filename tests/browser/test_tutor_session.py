"""The Tutor's session page in a real Chromium against a real offline server: typed and spoken turns,
corrections, the avatar video, a reload in the middle of a conversation, hands-free mode (listening
only once the tutor has been heard), and the summary — in Korean for a Korean session.

Chromium is launched here (not by the conftest) with a fake microphone that plays a sentence spoken
by espeak-ng, so the spoken turn goes through MediaRecorder, the socket and pocketsphinx for real.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, RENDER_TIMEOUT_MS
from tests.browser.media_log import MEDIA_LOG, audible_at_once, media_log
from tests.speech_audio import QUIET_ROOM_DB, spoken_wav

SPOKEN = "I want to drink a cup of coffee this morning."
# Corrections of MISTAKES that every version of the checker finds ("see" → "saw" is not always one).
SURE_FIXES = (("go", "went"), ("an dog", "a dog"))
CONTENT_WORDS = ("want", "drink", "cup", "coffee", "morning")
MISTAKES = "Yesterday I go to the park and I see an dog."
# A spoken turn: recording, decoding and recognition on a loaded machine.
SPEECH_TIMEOUT_MS = 30_000

# Chromium's voice-call processing (noise suppression, gain control, echo cancellation), on by
# default for getUserMedia({audio: true}), garbles espeak's synthetic voice: pocketsphinx heard
# "i like we can easily friends" for "I like to play tennis with my friends" with it, and every word
# without it. recorder.js therefore asks for unprocessed audio, and these tests go through that.
VIDEO_PLAYING = """(src) => {
  const v = document.querySelector('[data-testid="avatar-video"]');
  return v.src.endsWith(src) && v.error === null && (v.currentTime > 0 || v.readyState >= 2);
}"""


def spoken_sentence_wav(path: Path) -> Path:
    """SPOKEN in a quiet room as a WAV: 0.5 s of room before it, and 2 s after so that a recording
    of about 4 s ends before Chromium loops the file."""
    path.write_bytes(spoken_wav(SPOKEN, rate_wpm=150, snr_db=QUIET_ROOM_DB, before_s=0.5, after_s=2.0))
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """This module's Chromium: the conftest's flags plus a fake microphone saying SPOKEN."""
    wav = spoken_sentence_wav(tmp_path_factory.mktemp("microphone") / "sentence.wav")
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


def start_session(page: Page, *, language: str = "en", topic: str = "") -> str:
    """Start a session from /tutor; returns its id once the tutor's greeting is shown."""
    page.goto("/tutor")
    page.get_by_test_id("language").select_option(language)
    page.get_by_test_id("topic").select_option(topic)
    page.get_by_test_id("start-session").click()
    expect(page).to_have_url(re.compile(r"/tutor/sessions/[0-9a-f-]+$"))
    expect(page.get_by_test_id("connection-status")).to_have_text(
        "연결됨" if language == "ko" else "Connected"
    )
    expect(page.get_by_test_id("tutor-message")).to_have_count(1)
    return page.url.rsplit("/", 1)[1]


def say(page: Page, text: str, *, replies: int) -> None:
    """Type ``text``, press Enter, and wait for the tutor's message number ``replies``."""
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("message-input").press("Enter")
    expect(page.get_by_test_id("tutor-message")).to_have_count(replies)


def test_a_typed_sentence_gets_corrections_a_reply_and_a_talking_avatar(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    say(page, MISTAKES, replies=2)

    mine = page.get_by_test_id("user-message")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-state", "sent")
    expect(mine.get_by_test_id("bubble")).to_have_text(MISTAKES)
    cards = mine.get_by_test_id("correction-card")
    expect(cards.get_by_test_id("original")).to_contain_text([original for original, _ in SURE_FIXES])
    expect(cards.get_by_test_id("corrected")).to_contain_text([corrected for _, corrected in SURE_FIXES])
    expect(cards.first).to_have_class(re.compile(r"\bsev-(medium|high)\b"))
    expect(cards.first.locator(".type-label")).to_have_text("Grammar")
    expect(cards.first).to_contain_text("past")
    expect(mine.get_by_test_id("better-expression")).to_contain_text("Yesterday I went to the park")

    reply = page.get_by_test_id("tutor-message").nth(1)
    expect(reply.get_by_test_id("bubble")).not_to_be_empty()
    expect(reply).to_have_attribute("data-video", "ready", timeout=RENDER_TIMEOUT_MS)
    reply_id = reply.get_attribute("data-message-id")
    assert reply_id
    page.wait_for_function(
        VIDEO_PLAYING, arg=f"/api/tutor/messages/{reply_id}/video", timeout=RENDER_TIMEOUT_MS
    )
    expect(page.get_by_test_id("chat-error")).to_be_hidden()


def test_hands_free_sends_when_the_learner_pauses_and_listens_again_once_the_tutor_is_heard(
    admin_page: Page,
) -> None:
    page = admin_page
    page.add_init_script(MEDIA_LOG)
    start_session(page)
    toggle = page.get_by_test_id("handsfree-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("mic-state")).to_have_text("Listening… (hands-free)")

    # No click: the pause after the fake microphone's sentence ends the turn by itself.
    mine = page.get_by_test_id("user-message")
    expect(mine).to_have_count(1, timeout=SPEECH_TIMEOUT_MS)
    expect(mine.first).to_have_attribute("data-state", "sent", timeout=SPEECH_TIMEOUT_MS)
    heard = mine.first.get_by_test_id("bubble").inner_text().lower()
    assert any(word in heard for word in CONTENT_WORDS), heard
    expect(page.get_by_test_id("tutor-message")).to_have_count(2, timeout=SPEECH_TIMEOUT_MS)
    # Once the tutor has spoken, it listens again.
    expect(page.get_by_test_id("mic-button")).to_have_attribute(
        "aria-pressed", "true", timeout=SPEECH_TIMEOUT_MS
    )

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("mic-button")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("mic-state")).to_have_text("")
    # The microphone never opened while the tutor could be heard, and nothing played over anything.
    log = media_log(page)
    recordings = [entry for entry in log if entry["type"] == "record"]
    assert len(recordings) >= 2
    for entry in recordings:
        assert not any(element["audible"] for element in entry["all"]), entry
    assert not audible_at_once(log)


def test_a_spoken_sentence_is_transcribed_and_answered(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    mic = page.get_by_test_id("mic-button")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("mic-label")).to_have_text("Stop")
    expect(page.get_by_test_id("mic-state")).to_have_text("Listening…")
    page.wait_for_timeout(4000)  # let the fake microphone say the sentence (3.2 s with the pause before)
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "false")

    mine = page.get_by_test_id("user-message")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-state", "sent", timeout=SPEECH_TIMEOUT_MS)
    heard = mine.get_by_test_id("bubble").inner_text().lower()
    found = [word for word in CONTENT_WORDS if word in heard]
    assert len(found) >= 3, f"heard {heard!r}"
    expect(mine).to_have_attribute("data-kind", "audio")
    expect(page.get_by_test_id("tutor-message")).to_have_count(2, timeout=SPEECH_TIMEOUT_MS)
    # The word scores are read back from the history once the reply is in.
    expect(mine.get_by_test_id("word-score").first).to_be_visible()
    expect(page.get_by_test_id("mic-state")).to_have_text("")


def test_a_reload_keeps_the_conversation_once_and_it_goes_on(admin_page: Page) -> None:
    page = admin_page
    session_id = start_session(page)
    say(page, MISTAKES, replies=2)
    greeting = page.get_by_test_id("tutor-message").first.get_by_test_id("bubble").inner_text()
    cards = page.get_by_test_id("correction-card")
    expect(cards).not_to_have_count(0)
    checked = cards.count()

    page.reload()
    expect(page).to_have_url(re.compile(session_id))
    expect(page.get_by_test_id("connection-status")).to_have_text("Connected")
    say(page, "I like to play tennis with my friends.", replies=3)

    users = page.get_by_test_id("user-message")
    expect(users).to_have_count(2)
    expect(users.get_by_test_id("bubble")).to_have_text([MISTAKES, "I like to play tennis with my friends."])
    expect(users.first.get_by_test_id("correction-card")).to_have_count(checked)
    expect(page.get_by_test_id("tutor-message").first.get_by_test_id("bubble")).to_have_text(greeting)
    expect(page.get_by_test_id("tutor-message").filter(has_text=greeting)).to_have_count(1)


def test_a_dropped_connection_reconnects_and_sends_what_was_typed_meanwhile(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    status = page.get_by_test_id("connection-status")
    page.evaluate("() => window.tutorSocket.drop()")
    expect(status).to_have_text("Reconnecting…")
    say(page, MISTAKES, replies=2)
    expect(status).to_have_text("Connected")
    expect(page.get_by_test_id("user-message")).to_have_count(1)
    expect(page.get_by_test_id("correction-card").get_by_test_id("original")).to_contain_text(
        [original for original, _ in SURE_FIXES]
    )
    assert page.evaluate("() => window.tutorSocket.reconnects") >= 1


def test_a_refused_message_is_named_inline_and_the_conversation_goes_on(admin_page: Page) -> None:
    page = admin_page
    start_session(page)
    # Past the page's own length check, as a modified or outdated page would send it.
    page.evaluate("() => window.tutorSocket.sendTurn('text', {text: 'word '.repeat(400)})")
    error = page.get_by_test_id("chat-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("the limit is 1000")
    expect(page.get_by_test_id("tutor-typing")).to_be_hidden()

    say(page, MISTAKES, replies=2)
    expect(page.get_by_test_id("correction-card").get_by_test_id("original")).to_contain_text(
        [original for original, _ in SURE_FIXES]
    )


def test_ending_a_session_shows_its_summary_now_and_after_a_reload(admin_page: Page) -> None:
    page = admin_page
    start_session(page, language="ko", topic="travel")
    # A Korean session's page is in Korean.
    expect(page.get_by_test_id("send-button")).to_have_text("보내기")
    expect(page.get_by_test_id("mic-label")).to_have_text("말하기")
    expect(page.get_by_test_id("end-session")).to_have_text("대화 끝내기")
    expect(page.get_by_test_id("session-level")).to_have_text("초급")
    expect(page.get_by_test_id("message-input")).to_have_attribute(
        "placeholder", re.compile("영어로 써 보세요")
    )
    expect(page.get_by_test_id("tutor-nav")).to_contain_text("연습")
    say(page, MISTAKES, replies=2)
    expect(page.get_by_test_id("correction-card").first.locator(".type-label")).to_have_text("문법")
    expect(page.get_by_test_id("tutor-message").nth(1).get_by_test_id("play-audio")).to_have_text("▶ 듣기")

    page.get_by_test_id("end-session").click()
    summary = page.get_by_test_id("session-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text("대화 요약")
    # 여행 ends in a consonant: 여행을; the type most corrected takes its own particle.
    sentence = summary.get_by_test_id("summary-sentence")
    expect(sentence).to_contain_text("오늘은 여행을 주제로")
    expect(sentence).to_contain_text("메시지 1개를 보냈어요")
    expect(sentence).to_contain_text(re.compile(r"(문법을|어휘를|발음을) 가장 많이 고쳤어요"))
    expect(summary.get_by_test_id("score-grammar")).to_have_attribute("data-measured", "true")
    expect(summary.get_by_test_id("score-grammar")).to_contain_text("문법")
    expect(summary.get_by_test_id("score-grammar")).to_contain_text("/ 100")
    expect(summary.get_by_test_id("score-pronunciation")).to_contain_text("측정 안 됨")
    expect(summary.get_by_test_id("summary-correction-total").locator(".value")).not_to_have_text("0")
    expect(summary.get_by_test_id("summary-duration")).to_contain_text(re.compile(r"\d+(초|분)"))
    expect(summary.get_by_test_id("progress-link")).to_have_attribute("href", "/tutor/progress")
    expect(page.get_by_test_id("composer")).to_be_hidden()
    expect(page.get_by_test_id("connection-status")).to_have_text("대화 끝남")

    page.reload()
    expect(page.get_by_test_id("session-summary").get_by_test_id("score-grammar")).to_have_attribute(
        "data-measured", "true"
    )
    expect(page.get_by_test_id("summary-sentence")).to_contain_text("오늘은 여행을 주제로")
    expect(page.get_by_test_id("user-message").get_by_test_id("bubble")).to_have_text(MISTAKES)
    expect(page.get_by_test_id("composer")).to_be_hidden()
    expect(page.get_by_test_id("connection-status")).to_have_text("대화 끝남")

    # The learner chose Korean: the Tutor's other pages follow.
    page.goto("/tutor")
    expect(page.locator("h1")).to_have_text("영어 튜터")
    row = page.get_by_test_id("session-row").first
    expect(row.get_by_test_id("session-status")).to_have_text("끝남")
    expect(row.get_by_test_id("session-scores")).to_contain_text("문법")
    expect(row).to_contain_text("여행")
    page.goto("/tutor/progress")
    expect(page.locator("h1")).to_have_text("내 진도")
    expect(page.get_by_test_id("score-grammar").locator(".label")).to_have_text("문법")
    expect(page.get_by_test_id("corrections-by-type").get_by_test_id("bar-grammar")).to_contain_text("문법")
    page.goto("/tutor/live")
    expect(page.locator("h1")).to_have_text("실시간 대화")


def test_an_english_session_and_the_pages_after_it_stay_in_english(admin_page: Page) -> None:
    page = admin_page
    start_session(page, language="en")
    expect(page.get_by_test_id("send-button")).to_have_text("Send")
    say(page, MISTAKES, replies=2)
    page.get_by_test_id("end-session").click()
    summary = page.get_by_test_id("session-summary")
    expect(summary.locator("h2")).to_have_text("Session summary")
    expect(summary.get_by_test_id("summary-sentence")).to_contain_text("sent 1 message")
    expect(page.get_by_test_id("connection-status")).to_have_text("Session ended")
    page.goto("/tutor")
    expect(page.locator("h1")).to_have_text("English tutor")
    expect(page.get_by_test_id("session-row").first.get_by_test_id("session-status")).to_have_text("Ended")
