"""The Tutor's pages in the learner's language: a Korean session's page is in Korean with the particles
its words take, the other pages follow the learner's preference, and English stays English."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from framecast.tutor import sessions
from framecast.web.context import WebContext
from framecast.web.tutor_text import TEXT, TOPICS, particle_words
from tests.web.conftest import PASSWORD, Account

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def log_in(client: TestClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text


def test_every_page_word_has_both_languages() -> None:
    assert set(TEXT["en"]) == set(TEXT["ko"])
    assert set(TOPICS["en"]) == set(TOPICS["ko"])
    assert not any(HANGUL.search(value) for value in TEXT["en"].values())


@pytest.mark.parametrize(
    ("topic", "with_particle"),
    [
        ("travel", "여행을"),  # 행 ends in ㅇ: 을
        ("opinions", "의견 나누기를"),  # 기 ends in a vowel: 를
        ("small_talk", "스몰 토크를"),
        ("daily_life", "일상생활을"),
        (None, None),
    ],
)
def test_the_particles_of_a_korean_page_follow_the_last_syllable(
    topic: str | None, with_particle: str | None
) -> None:
    words = particle_words("ko", topic)
    assert words["topic_object"] == with_particle
    assert words["types_object"] == {"grammar": "문법을", "vocabulary": "어휘를", "pronunciation": "발음을"}
    assert particle_words("en", topic) == {}


def test_a_korean_sessions_page_is_in_korean(client: TestClient, web: WebContext, bob: Account) -> None:
    session_id = sessions.create_session(web.db, bob.user_id, topic="travel", language="ko").id
    log_in(client, bob.email)
    page = client.get(f"/tutor/sessions/{session_id}").text
    for words in (
        "대화 끝내기",
        "보내기",
        "말하기",
        "핸즈프리",
        "연결 중…",
        "대화 요약",
        "<dd>여행</dd>",
        ">초급</dd>",
    ):
        assert words in page, words
    assert 'lang="ko"' in page
    assert "End session" not in page
    found = re.search(r'<script type="application/json" id="tutor-words">(.*?)</script>', page)
    assert found is not None
    assert json.loads(found.group(1))["particles"]["topic_object"] == "여행을"


def test_the_other_tutor_pages_follow_the_learners_language(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    sessions.create_session(web.db, bob.user_id, language="ko")  # a chosen language becomes the preference
    log_in(client, bob.email)
    expected = {"/tutor": "영어 튜터", "/tutor/progress": "내 진도", "/tutor/live": "실시간 대화"}
    for path, heading in expected.items():
        page = client.get(path).text
        assert f"<h1>{heading}</h1>" in page, path
        assert ">연습</a>" in page  # the Tutor's tabs
    home = client.get("/tutor").text
    assert '<option value="">자유 대화</option>' in home
    assert '<option value="beginner">초급</option>' in home
    assert '<option value="ko" selected>한국어</option>' in home


def test_an_english_learner_keeps_english_pages(client: TestClient, web: WebContext, bob: Account) -> None:
    session_id = sessions.create_session(web.db, bob.user_id, topic="travel", language="en").id
    log_in(client, bob.email)
    for path in ("/tutor", "/tutor/progress", "/tutor/live", f"/tutor/sessions/{session_id}"):
        page = client.get(path).text
        assert not HANGUL.search(page.replace("한국어 (Korean)", "")), path
    assert "<dd>Travel</dd>" in client.get(f"/tutor/sessions/{session_id}").text


@pytest.mark.parametrize("path", ["/static/js/tutor_text.js", "/static/js/tutor_voice.js"])
def test_the_new_scripts_are_served_without_outside_links(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "http://" not in response.text
    assert "https://" not in response.text
    assert "innerHTML" not in response.text
