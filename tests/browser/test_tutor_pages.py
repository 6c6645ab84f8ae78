"""The Tutor's practice, progress and real-time pages in real Chromium.

The module's server has a Tavus key whose base URL is a small fake Tavus answering on 127.0.0.1 (it
records every request). Chromium runs with a fake microphone that plays a WAV of one practice phrase
spoken by espeak-ng with the voice pocketsphinx hears well.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from websockets.sync.client import connect

from tests.browser.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXPECT_TIMEOUT_MS,
    StudioServer,
    new_studio_context,
    running_studio,
    set_up_admin,
    watched_page,
)
from tests.speech_audio import QUIET_ROOM_DB, spoken_wav

# A short beginner phrase whose every word pocketsphinx hears as itself, confidently, when espeak-ng's
# en-us+f2 says it through Chromium's fake microphone and MediaRecorder (measured: 4 of 4 words score
# >= 0.8 in every run; "Where are you from?" and others keep only 2 of 4 above 0.7).
PHRASE = "What do you think?"
PHRASE_CATEGORY = "opinions"
RECORD_MS = 4000
# Scoring a recording runs the recogniser in the server.
SCORE_TIMEOUT_MS = 30_000
SENTENCE_WITH_ERRORS = "Yesterday I go to the park and I see an dog."
# A practice phrase said as a Korean learner may say it, its first word's l said as r: the phrase's
# grammar hears "wrong" in place of "Long" (measured in a quiet room, at 140 to 160 words a minute:
# a margin of -31 to -34 per frame against the flag at -3, so "Long" scores 0.0 and every other word
# at least 0.5; said correctly, "Long" scores 1.0). "think" said as "sink" is flagged by a margin too
# close to the flag (scores 0.23 to 0.36 against the threshold of 0.3).
SWAP_PHRASE = "Long time no see!"
SWAP_CATEGORY = "greeting"
SWAP_WORD, SWAP_SAID = "Long", "wrong"
SWAP_SPOKEN = "wrong time no see!"


# --- a fake Tavus ----------------------------------------------------------------------------------


@dataclass
class FakeTavus:
    base_url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    refuse: bool = False
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ended(self) -> list[str]:
        with self.lock:
            return [path.split("/")[3] for method, path in self.requests if path.endswith("/end")]


def _tavus_handler(fake: FakeTavus) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: Any) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def do_GET(self) -> None:  # the room page the iframe shows
            if self.path.startswith("/room/"):
                name = self.path.removeprefix("/room/")
                page = f"<!doctype html><title>room</title><h1>Fake Tavus room {name}</h1>"
                self._send(200, page.encode(), "text/html; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with fake.lock:
                fake.requests.append(("POST", self.path))
                if self.path == "/v2/conversations":
                    if fake.refuse:
                        self._json(400, {"message": "User has reached maximum concurrent conversations"})
                        return
                    fake.count += 1
                    conversation = f"c{fake.count}"
            if self.path == "/v2/conversations":
                url = f"{fake.base_url}/room/{conversation}"
                self._json(
                    200, {"conversation_id": conversation, "conversation_url": url, "status": "active"}
                )
            elif re.fullmatch(r"/v2/conversations/[^/]+/end", self.path):
                self._json(200, {})
            else:
                self._json(404, {"message": "no such route"})

    return Handler


@pytest.fixture(scope="module")
def tavus() -> Iterator[FakeTavus]:
    fake = FakeTavus()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _tavus_handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- servers, browser, logins ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory, tavus: FakeTavus) -> Iterator[StudioServer]:
    """This module's server: offline Tutor, Tavus at the fake."""
    with running_studio(
        tmp_path_factory.mktemp("tutor"),
        FRAMECAST_TAVUS__API_KEY="test",
        FRAMECAST_TAVUS__PERSONA_ID="p1",
        FRAMECAST_TAVUS__BASE_URL=tavus.base_url,
        # The fake's rooms are served from localhost; the page's policy must let the frame show them.
        FRAMECAST_WEB__FRAME_SOURCES=f'["{tavus.base_url}"]',
    ) as server:
        yield server


@pytest.fixture(scope="module")
def phrase_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The phrase spoken by espeak-ng in a quiet room, half a second of room before it and two
    seconds after, so that a four second recording holds it once (Chromium loops the file)."""
    path = tmp_path_factory.mktemp("audio") / "phrase.wav"
    path.write_bytes(spoken_wav(PHRASE, rate_wpm=150, snr_db=QUIET_ROOM_DB, before_s=0.5, after_s=2.0))
    return path


@pytest.fixture(scope="module")
def browser(phrase_wav: Path) -> Iterator[Browser]:
    """Chromium with a fake microphone playing ``phrase_wav`` (overrides the conftest's)."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={phrase_wav}",
    ]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def swapped_browser(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A second Chromium whose fake microphone plays ``SWAP_SPOKEN`` in a quiet room: half a second
    of room before it and three after, so that a four second recording holds it once."""
    path = tmp_path_factory.mktemp("audio") / "swapped.wav"
    path.write_bytes(spoken_wav(SWAP_SPOKEN, rate_wpm=140, snr_db=QUIET_ROOM_DB, before_s=0.5, after_s=3.0))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={path}",
    ]
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield chromium
    chromium.close()


@dataclass(frozen=True)
class Learner:
    server: StudioServer
    state: Any  # the browser's storage state, logged in
    token: str
    user_id: int

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.base_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30.0
        )


def _learner(browser: Browser, server: StudioServer) -> Learner:
    browser_context = new_studio_context(browser, server)
    try:
        set_up_admin(browser_context.new_page())
        state = browser_context.storage_state()
    finally:
        browser_context.close()
    login = httpx.post(
        f"{server.base_url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    login.raise_for_status()
    token = login.json()["access_token"]
    me = httpx.get(f"{server.base_url}/api/me", headers={"Authorization": f"Bearer {token}"})
    me.raise_for_status()
    return Learner(server, state, token, me.json()["id"])


@pytest.fixture(scope="module")
def learner(browser: Browser, shared_server: StudioServer) -> Learner:
    return _learner(browser, shared_server)


@pytest.fixture
def learner_page(browser: Browser, learner: Learner) -> Iterator[Page]:
    browser_context = new_studio_context(browser, learner.server, storage_state=learner.state)
    try:
        with watched_page(browser_context, learner.server) as page:
            yield page
    finally:
        browser_context.close()


@pytest.fixture(scope="module")
def keyless_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioServer]:
    with running_studio(tmp_path_factory.mktemp("keyless")) as server:
        yield server


@pytest.fixture(scope="module")
def new_learner(browser: Browser, keyless_server: StudioServer) -> Learner:
    return _learner(browser, keyless_server)


@pytest.fixture
def new_learner_page(browser: Browser, new_learner: Learner) -> Iterator[Page]:
    """A page of a server without a Tavus key, logged in as a learner who has done nothing yet."""
    browser_context = new_studio_context(browser, new_learner.server, storage_state=new_learner.state)
    try:
        with watched_page(browser_context, new_learner.server) as page:
            yield page
    finally:
        browser_context.close()


# --- practice -------------------------------------------------------------------------------------


def test_a_spoken_phrase_is_scored_word_by_word_and_counts_in_progress(
    learner_page: Page, learner: Learner
) -> None:
    page = learner_page
    with learner.api() as client:
        phrases = client.get("/api/practice/phrases", params={"category": PHRASE_CATEGORY}).json()
    phrase_id = next(p["id"] for p in phrases if p["english_text"] == PHRASE)

    page.goto("/tutor/practice")
    page.get_by_test_id("practice-category").select_option(PHRASE_CATEGORY)
    page.get_by_test_id("practice-difficulty").select_option("beginner")
    item = page.locator(f'[data-testid="phrase"][data-phrase-id="{phrase_id}"]')
    expect(page.get_by_test_id("phrase")).not_to_have_count(0)
    expect(page.get_by_test_id("phrase").filter(has_not_text=PHRASE).first).to_be_visible()
    item.click()
    expect(item).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("phrase-english")).to_have_text(PHRASE)
    expect(page.get_by_test_id("phrase-korean")).not_to_be_empty()
    expect(page.get_by_test_id("no-attempts")).to_be_visible()

    listen = page.get_by_test_id("practice-listen")
    listen.click()
    expect(listen).to_contain_text("Stop playing")
    expect(listen).to_contain_text("Listen", timeout=SCORE_TIMEOUT_MS)  # the clip played to its end
    expect(page.get_by_test_id("attempt-error")).to_be_hidden()

    page.get_by_test_id("practice-record").click()
    expect(page.get_by_test_id("practice-stop")).to_be_visible()
    page.wait_for_timeout(RECORD_MS)  # how long the learner speaks, not an assertion
    page.get_by_test_id("practice-stop").click()

    score = page.get_by_test_id("practice-score")
    expect(score).to_have_attribute("data-value", re.compile(r"^\d+$"), timeout=SCORE_TIMEOUT_MS)
    words = page.get_by_test_id("practice-words").get_by_test_id("word-score")
    expect(words).to_have_count(4)
    good = words.and_(page.locator('[data-level="good"]'))
    assert good.count() >= 3, page.get_by_test_id("practice-words").inner_text()
    first = words.first
    expect(first).to_have_attribute("title", re.compile("heard"))
    expect(first.locator(".sr-only")).to_contain_text("heard")
    assert int(score.get_attribute("data-value") or 0) >= 60
    expect(page.get_by_test_id("practice-attempt")).to_have_count(1)
    expect(page.get_by_test_id("no-attempts")).to_be_hidden()
    page.screenshot(path="/tmp/tutor_practice.png", full_page=True)
    page.get_by_test_id("practice-again").click()
    expect(page.get_by_test_id("practice-stop")).to_be_visible()
    expect(page.get_by_test_id("practice-result")).to_be_hidden()
    page.reload()  # the address keeps the phrase
    expect(page.get_by_test_id("phrase-english")).to_have_text(PHRASE)
    expect(page.get_by_test_id("practice-attempt")).to_have_count(1)

    with learner.api() as client:
        stats = client.get(f"/api/progress/{learner.user_id}/stats").json()
    assert stats["practice"]["attempts"] >= 1
    page.goto("/tutor/progress")
    expect(page.get_by_test_id("total-practice").locator(".value")).not_to_have_text("0")
    expect(page.locator('[data-testid="chart-point"][data-series="practice"]')).not_to_have_count(0)
    expect(page.get_by_test_id("score-pronunciation")).to_have_attribute("data-value", re.compile(r"^\d+$"))


def test_a_word_said_as_a_sound_alike_is_flagged_with_what_was_heard(
    swapped_browser: Browser, learner: Learner
) -> None:
    with learner.api() as client:
        phrases = client.get("/api/practice/phrases", params={"category": SWAP_CATEGORY}).json()
    phrase_id = next(p["id"] for p in phrases if p["english_text"] == SWAP_PHRASE)
    browser_context = new_studio_context(swapped_browser, learner.server, storage_state=learner.state)
    try:
        with watched_page(browser_context, learner.server) as page:
            page.goto(f"/tutor/practice?phrase={phrase_id}")
            expect(page.get_by_test_id("phrase-english")).to_have_text(SWAP_PHRASE)
            page.get_by_test_id("practice-record").click()
            expect(page.get_by_test_id("practice-stop")).to_be_visible()
            page.wait_for_timeout(RECORD_MS)  # how long the learner speaks, not an assertion
            page.get_by_test_id("practice-stop").click()

            score = page.get_by_test_id("practice-score")
            expect(score).to_have_attribute("data-value", re.compile(r"^\d+$"), timeout=SCORE_TIMEOUT_MS)
            words = page.get_by_test_id("practice-words").get_by_test_id("word-score")
            expect(words).to_have_count(4)
            shown = page.get_by_test_id("practice-words").inner_text()
            swapped = words.filter(has_text=re.compile(rf"^{SWAP_WORD}\b"))
            expect(swapped).to_have_count(1)
            said = f'you said "{SWAP_SAID}"'
            # The word is red, flagged, and says what was heard, to the eye (its title) and to a
            # screen reader.
            expect(swapped).to_have_attribute("data-flagged", "true")
            expect(swapped).to_have_attribute("data-level", "poor")
            expect(swapped).to_have_attribute("title", re.compile(re.escape(said)))
            expect(swapped.locator(".sr-only")).to_contain_text(said)
            # It is the lowest of the words.
            others = [
                float(words.nth(i).get_attribute("data-score") or "nan")
                for i in range(4)
                if not words.nth(i).inner_text().startswith(SWAP_WORD)
            ]
            lowest = float(swapped.get_attribute("data-score") or "nan")
            assert len(others) == 3, shown
            assert all(lowest < other for other in others), (lowest, others, shown)
            # The note under the words says it in plain text.
            notes = page.get_by_test_id("practice-notes")
            expect(notes).to_be_visible()
            note = notes.get_by_test_id("word-note").filter(has_text=SWAP_WORD)
            expect(note).to_have_count(1)
            expect(note).to_have_attribute("data-word", SWAP_WORD)
            expect(note.get_by_test_id("word-note-text")).to_have_text(said)
            expect(page.get_by_test_id("practice-heard")).to_contain_text(SWAP_SAID)
            page.screenshot(path="/tmp/tutor_practice_swapped.png", full_page=True)
    finally:
        browser_context.close()


def _api_error(message: str) -> str:
    return json.dumps({"error": {"type": "invalid_input", "message": message, "details": {}}})


def test_errors_of_the_phrase_list_and_of_an_attempt_are_shown_inline(learner_page: Page) -> None:
    page = learner_page
    page.goto("/tutor/practice")
    page.route(
        "**/api/practice/attempts",
        lambda route: route.fulfill(
            status=400, content_type="application/json", body=_api_error("audio: no speech")
        ),
    )
    page.get_by_test_id("phrase").first.click()
    page.get_by_test_id("practice-record").click()
    expect(page.get_by_test_id("practice-stop")).to_be_visible()
    page.wait_for_timeout(1000)  # a second of recording, not an assertion
    page.get_by_test_id("practice-stop").click()
    expect(page.get_by_test_id("attempt-error")).to_have_text("audio: no speech")
    expect(page.get_by_test_id("attempt-error")).to_have_attribute("role", "alert")
    expect(page.get_by_test_id("practice-record")).to_be_enabled()

    page.route(
        "**/api/practice/phrases?*",
        lambda route: route.fulfill(
            status=400,
            content_type="application/json",
            body=_api_error("category: nope"),
        ),
    )
    page.get_by_test_id("practice-category").select_option("travel")
    expect(page.get_by_test_id("practice-error")).to_have_text("category: nope")
    expect(page.get_by_role("alert").filter(has_text="category: nope")).to_be_visible()


# --- progress -------------------------------------------------------------------------------------


def _talk(learner: Learner, text: str) -> str:
    """A session with one typed sentence, ended; returns its id."""
    with learner.api() as client:
        created = client.post("/api/conversations/sessions", json={"difficulty": "beginner"})
        created.raise_for_status()
        session_id: str = created.json()["id"]
        ws_url = learner.server.base_url.replace("http://", "ws://")
        with connect(f"{ws_url}/ws/conversation/{session_id}?token={learner.token}") as ws:
            greeting = json.loads(ws.recv(timeout=30))
            assert greeting["type"] == "response"
            ws.send(json.dumps({"type": "text", "data": {"text": text, "client_id": "t1"}}))
            seen: list[str] = []
            while "response" not in seen:
                frame = json.loads(ws.recv(timeout=30))
                assert frame["type"] != "error", frame
                seen.append(frame["type"])
            assert "correction" in seen
        ended = client.post(f"/api/conversations/sessions/{session_id}/end")
        ended.raise_for_status()
        assert ended.json()["scores"]["grammar"] is not None
    return session_id


def test_progress_shows_scores_chart_corrections_and_the_transcript_of_an_ended_session(
    learner_page: Page, learner: Learner
) -> None:
    session_id = _talk(learner, SENTENCE_WITH_ERRORS)
    page = learner_page
    page.goto("/tutor/progress")
    expect(page.get_by_test_id("progress-body")).to_be_visible()
    expect(page.get_by_test_id("progress-empty")).to_be_hidden()
    grammar = page.get_by_test_id("score-grammar")
    expect(grammar).to_have_attribute("data-value", re.compile(r"^\d+$"))
    assert 0 < int(grammar.get_attribute("data-value") or 0) < 100
    expect(page.get_by_test_id("total-sessions").locator(".value")).to_have_text("1")

    chart = page.get_by_test_id("progress-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text(re.compile("scores over time"))
    expect(chart.locator('[data-testid="chart-point"][data-series="grammar"]')).to_have_count(1)

    by_type = page.get_by_test_id("corrections-by-type")
    expect(by_type.get_by_test_id("bar-grammar")).not_to_have_attribute("data-count", "0")
    expect(page.get_by_test_id("common-mistakes").get_by_test_id("mistake")).not_to_have_count(0)
    expect(page.get_by_test_id("suggestion")).not_to_have_count(0)

    item = page.locator(f'[data-testid="session-item"][data-session-id="{session_id}"]')
    expect(item).to_be_visible()
    item.locator("summary").click()
    transcript = item.get_by_test_id("transcript")
    expect(transcript.locator('[data-role="user"]')).to_contain_text(SENTENCE_WITH_ERRORS)
    expect(transcript.locator('[data-role="assistant"]')).not_to_have_count(0)
    expect(transcript.get_by_test_id("transcript-correction")).not_to_have_count(0)
    page.screenshot(path="/tmp/tutor_progress.png", full_page=True)


def test_a_new_learner_sees_an_empty_progress_page(new_learner_page: Page) -> None:
    page = new_learner_page
    page.goto("/tutor/progress")
    expect(page.get_by_test_id("progress-empty")).to_be_visible()
    expect(page.get_by_test_id("progress-body")).to_be_hidden()
    expect(page.get_by_test_id("progress-error")).to_be_hidden()
    page.screenshot(path="/tmp/tutor_progress_empty.png", full_page=True)


# --- real-time ------------------------------------------------------------------------------------


def test_without_a_tavus_key_the_live_page_says_what_to_set_and_points_to_the_offline_tutor(
    new_learner_page: Page,
) -> None:
    page = new_learner_page
    page.goto("/tutor/live")
    message = page.get_by_test_id("live-unconfigured")
    expect(message).to_contain_text("FRAMECAST_TAVUS__API_KEY")
    expect(message).to_contain_text("FRAMECAST_TAVUS__PERSONA_ID")
    expect(message).to_contain_text("FRAMECAST_TAVUS__REPLICA_ID")
    expect(page.get_by_test_id("offline-link")).to_have_attribute("href", "/tutor")
    expect(page.get_by_test_id("live-start")).to_have_count(0)
    page.screenshot(path="/tmp/tutor_live_nokey.png", full_page=True)


def _wait_for_end(page: Page, tavus: FakeTavus, conversation: str) -> None:
    """Poll the fake until it has seen ``conversation`` ended."""
    for _ in range(EXPECT_TIMEOUT_MS // 100):
        if conversation in tavus.ended():
            return
        page.wait_for_timeout(100)  # polling another process; not an assertion
    raise AssertionError(f"Tavus never saw {conversation} ended: {tavus.requests}")


def test_a_real_time_conversation_opens_in_a_frame_and_ends_with_the_button_or_when_the_page_closes(
    browser: Browser, learner: Learner, tavus: FakeTavus
) -> None:
    browser_context = new_studio_context(browser, learner.server, storage_state=learner.state)
    try:
        with watched_page(browser_context, learner.server) as page:
            page.goto("/tutor/live")
            page.get_by_test_id("live-start").click()
            frame = page.get_by_test_id("live-frame")
            expect(frame).to_be_visible()
            assert "camera" in (frame.get_attribute("allow") or "")
            conversation = (frame.get_attribute("src") or "").rsplit("/", 1)[-1]
            expect(page.frame_locator('[data-testid="live-frame"]').get_by_role("heading")).to_have_text(
                f"Fake Tavus room {conversation}"
            )
            page.screenshot(path="/tmp/tutor_live.png", full_page=True)
            assert conversation not in tavus.ended()
            page.get_by_test_id("live-end").click()
            expect(page.get_by_test_id("live-frame")).to_have_count(0)
            expect(page.get_by_test_id("live-start")).to_be_visible()
            assert conversation in tavus.ended()

            tavus.refuse = True
            try:
                page.get_by_test_id("live-start").click()
                expect(page.get_by_test_id("live-error")).to_contain_text(
                    "maximum of concurrent conversations"
                )
            finally:
                tavus.refuse = False

        closing = browser_context.new_page()
        closing.goto("/tutor/live")
        closing.get_by_test_id("live-start").click()
        src = closing.get_by_test_id("live-frame").get_attribute("src") or ""
        second = src.rsplit("/", 1)[-1]
        assert second
        assert second != conversation
        closing.close()
        watcher = browser_context.new_page()
        _wait_for_end(watcher, tavus, second)
    finally:
        browser_context.close()
