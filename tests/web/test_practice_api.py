"""``/api/practice``: phrases, their spoken example, and scored attempts on the offline providers
(espeak-ng speaks, pocketsphinx hears), per learner, counted in the progress."""

from __future__ import annotations

import base64
import json
import random
import struct
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from framecast.providers.offline.audio import pcm_to_wav
from framecast.providers.offline.stt import word_error_rate
from framecast.tutor.progress import ALPHA
from framecast.web.context import WebContext
from tests.speech_audio import spoken_b64
from tests.web.conftest import Account

SEE_YOU = "See you tomorrow!"
WEEKEND = "Have a nice weekend."
ATTEMPT_KEYS = {"id", "phrase_id", "transcript", "score", "words", "created_at"}


def spoken(text: str) -> str:
    """``text`` said by espeak-ng in a quiet room, with half a second of the room around it."""
    return spoken_b64(text, rate_wpm=140, before_s=0.5, after_s=0.5)


def hiss() -> bytes:
    """A second of faint noise. (Digital silence will not do: pocketsphinx hears "dog" in it.)"""
    noise = random.Random(1)
    return b"".join(struct.pack("<h", noise.randint(-50, 50)) for _ in range(16000))


@pytest.fixture(scope="module")
def speech() -> dict[str, str]:
    return {text: spoken(text) for text in (SEE_YOU, WEEKEND)}


def phrase_id(client: TestClient, account: Account, english: str) -> int:
    phrases = client.get("/api/practice/phrases", headers=account.headers).json()
    found: int = next(p["id"] for p in phrases if p["english_text"] == english)
    return found


def post_attempt(
    client: TestClient, account: Account, phrase: int, audio: str, **extra: Any
) -> dict[str, Any]:
    response = client.post(
        "/api/practice/attempts", json={"phrase_id": phrase, "audio": audio, **extra}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response) -> tuple[int, str]:
    message: str = response.json()["error"]["message"]
    return response.status_code, message


# -- phrases ----------------------------------------------------------------------------------------


def test_phrases_are_listed_by_id_and_filtered(client: TestClient, bob: Account) -> None:
    every = client.get("/api/practice/phrases", headers=bob.headers)
    travel = client.get(
        "/api/practice/phrases", params={"category": "travel", "difficulty": "advanced"}, headers=bob.headers
    ).json()
    blank = client.get("/api/practice/phrases?category=&difficulty=", headers=bob.headers).json()

    assert every.status_code == 200
    ids = [p["id"] for p in every.json()]
    assert ids == sorted(ids)
    assert blank == every.json()
    assert set(every.json()[0]) == {
        "id",
        "category",
        "difficulty",
        "english_text",
        "korean_text",
        "audio_url",
    }
    assert every.json()[0]["audio_url"] == f"/api/practice/phrases/{ids[0]}/audio"
    assert travel
    assert {(p["category"], p["difficulty"]) for p in travel} == {("travel", "advanced")}


@pytest.mark.parametrize(
    ("query", "field_name"), [("category=cooking", "category"), ("difficulty=hard", "difficulty")]
)
def test_a_bad_filter_answers_400_naming_the_field(
    client: TestClient, bob: Account, query: str, field_name: str
) -> None:
    response = client.get(f"/api/practice/phrases?{query}", headers=bob.headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(f"{field_name}: ")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/practice/phrases"),
        ("GET", "/api/practice/phrases/1/audio"),
        ("GET", "/api/practice/attempts"),
        ("POST", "/api/practice/attempts"),
    ],
)
def test_every_route_needs_a_login(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"phrase_id": 1, "audio": "AAAA"})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_a_phrase_is_spoken_as_mp3_and_cached_on_disk(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    phrase = phrase_id(client, bob, SEE_YOU)
    cached = Path(web.settings.data_dir) / "tutor" / "phrases" / f"{phrase}.mp3"

    first = client.get(f"/api/practice/phrases/{phrase}/audio", headers=bob.headers)
    assert first.status_code == 200
    assert first.headers["content-type"] == "audio/mpeg"
    assert first.content[:3] == b"ID3" or first.content[0] == 0xFF
    assert cached.read_bytes() == first.content
    cached.write_bytes(b"ID3 cached")  # the next answer comes from this file, not a new synthesis
    second = client.get(f"/api/practice/phrases/{phrase}/audio", headers=bob.headers)
    missing = client.get("/api/practice/phrases/999999/audio", headers=bob.headers)

    assert second.content == b"ID3 cached"
    assert missing.status_code == 404


# -- attempts ---------------------------------------------------------------------------------------


def test_the_right_phrase_scores_high_a_different_one_low_and_progress_follows(
    client: TestClient, bob: Account, speech: dict[str, str]
) -> None:
    phrase = phrase_id(client, bob, SEE_YOU)

    right = post_attempt(client, bob, phrase, speech[SEE_YOU], mime="audio/wav")
    progress_after_one = client.get(f"/api/progress/{bob.user_id}", headers=bob.headers).json()
    wrong = post_attempt(client, bob, phrase, f"data:audio/wav;base64,{speech[WEEKEND]}")
    progress = client.get(f"/api/progress/{bob.user_id}", headers=bob.headers).json()

    assert set(right) == ATTEMPT_KEYS
    assert right["phrase_id"] == phrase
    assert word_error_rate(SEE_YOU, right["transcript"]) <= 0.34
    assert [w["word"] for w in right["words"]] == ["See", "you", "tomorrow"]
    assert all(0.0 <= w["score"] <= 1.0 for w in right["words"])
    # Measured: about 67-87 and 12-13 (each word heard as itself scores at least 0.5, each word
    # heard as another at most 0.25).
    assert right["score"] >= 55
    assert wrong["score"] <= 25
    assert (progress_after_one["pronunciation_score"], progress_after_one["pronunciation_measured"]) == (
        right["score"],
        True,
    )
    expected = round(ALPHA * wrong["score"] + (1 - ALPHA) * right["score"], 1)
    assert progress["pronunciation_score"] == expected
    assert progress["total_sessions"] == 0


@pytest.mark.parametrize(
    ("audio", "problem"),
    [
        ("not base64!", "the audio is not valid base64"),
        (base64.b64encode(b"this is not audio at all" * 10).decode(), "not a recording: it looks like plain"),
        (base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEbroken").decode(), "the audio could not be decoded"),
        (base64.b64encode(pcm_to_wav(hiss(), 16000)).decode(), "no speech was heard"),
        (base64.b64encode(pcm_to_wav(hiss() * 16, 16000)).decode(), "the limit is 15 seconds"),
    ],
)
def test_bad_audio_answers_400_and_stores_nothing(
    client: TestClient, bob: Account, audio: str, problem: str
) -> None:
    phrase = phrase_id(client, bob, SEE_YOU)

    response = client.post(
        "/api/practice/attempts", json={"phrase_id": phrase, "audio": audio}, headers=bob.headers
    )

    status, message = error_of(response)
    assert (status, problem in message) == (400, True), message
    assert client.get("/api/practice/attempts", headers=bob.headers).json() == []
    assert (
        client.get(f"/api/progress/{bob.user_id}", headers=bob.headers).json()["pronunciation_measured"]
        is False
    )


def test_audio_over_the_limit_answers_400_naming_it(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    limit = web.settings.tutor.max_audio_bytes
    big = base64.b64encode(b"\0" * (limit + 100)).decode()

    response = client.post("/api/practice/attempts", json={"phrase_id": 1, "audio": big}, headers=bob.headers)

    status, message = error_of(response)
    assert status == 400
    assert f"the limit is {limit} bytes" in message


def test_an_unknown_phrase_or_a_missing_field_is_refused(
    client: TestClient, bob: Account, speech: dict[str, str]
) -> None:
    unknown = client.post(
        "/api/practice/attempts", json={"phrase_id": 999999, "audio": speech[SEE_YOU]}, headers=bob.headers
    )
    no_audio = client.post("/api/practice/attempts", json={"phrase_id": 1}, headers=bob.headers)

    assert unknown.status_code == 404
    assert no_audio.status_code == 422
    assert no_audio.json()["error"]["type"] == "invalid_input"


def test_learners_see_only_their_own_attempts_newest_first(
    client: TestClient, web: WebContext, alice: Account, bob: Account, speech: dict[str, str]
) -> None:
    see_you = phrase_id(client, bob, SEE_YOU)
    weekend = phrase_id(client, bob, WEEKEND)
    first = post_attempt(client, bob, see_you, speech[SEE_YOU])
    second = post_attempt(client, bob, weekend, speech[WEEKEND])
    third = post_attempt(client, alice, see_you, speech[SEE_YOU])

    bobs = client.get("/api/practice/attempts", headers=bob.headers).json()
    alices = client.get("/api/practice/attempts", headers=alice.headers).json()
    filtered = client.get("/api/practice/attempts", params={"phrase_id": see_you}, headers=bob.headers).json()
    limited = client.get("/api/practice/attempts?limit=1", headers=bob.headers).json()
    too_many = client.get("/api/practice/attempts?limit=1000", headers=bob.headers)

    assert [a["id"] for a in bobs] == [second["id"], first["id"]]
    assert bobs[0] == second
    assert [a["id"] for a in alices] == [third["id"]]
    assert [a["id"] for a in filtered] == [first["id"]]
    assert [a["id"] for a in limited] == [second["id"]]
    assert too_many.status_code == 422
    alice_progress = client.get(f"/api/progress/{alice.user_id}", headers=alice.headers).json()
    assert alice_progress["pronunciation_score"] == third["score"]


def test_stats_report_practice_and_its_history(
    client: TestClient, bob: Account, speech: dict[str, str]
) -> None:
    phrase = phrase_id(client, bob, SEE_YOU)
    attempt = post_attempt(client, bob, phrase, speech[SEE_YOU])

    body = client.get(f"/api/progress/{bob.user_id}/stats", headers=bob.headers).json()

    assert {"progress", "correction_stats", "recent_sessions", "history"} <= set(body)
    assert body["practice"]["attempts"] == 1
    assert body["practice"]["phrases_practised"] == 1
    assert body["practice"]["average_score"] == attempt["score"]
    assert body["practice"]["recent"] == [{**attempt, "english_text": SEE_YOU, "korean_text": "내일 봐요!"}]
    assert body["practice_history"] == [{"created_at": attempt["created_at"], "score": attempt["score"]}]


@pytest.mark.parametrize(
    ("mime", "problem"),
    [("audio/wav\u0000", "mime: contains a nul character"), ("audio/\ud800", "mime: contains an unpaired")],
)
def test_a_mime_that_text_cannot_hold_is_refused_naming_the_field(
    client: TestClient, bob: Account, speech: dict[str, str], mime: str, problem: str
) -> None:
    phrase = phrase_id(client, bob, SEE_YOU)
    body = json.dumps({"phrase_id": phrase, "audio": speech[SEE_YOU], "mime": mime})  # escaped

    response = client.post(
        "/api/practice/attempts",
        content=body,
        headers={**bob.headers, "content-type": "application/json"},
    )

    status, message = error_of(response)
    assert status == 400
    assert problem in message.lower()  # the web edge names the field by its label ("Mime: ...")
    assert client.get("/api/practice/attempts", headers=bob.headers).json() == []
