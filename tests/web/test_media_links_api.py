"""Media any client can play: with ``FRAMECAST_WEB__PUBLIC_BASE_URL`` set, the API and the
conversation socket answer absolute signed media URLs (library files and posters, batch ZIP parts,
Tutor speech and avatar videos, practice phrases) that play with no cookie or header, Range
included; a changed or expired link answers 403, and an unsigned request keeps the owner check."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from framecast.core.secret import secret_bytes
from framecast.core.settings import Settings, get_settings
from framecast.db.library import MediaFile
from framecast.db.models import Job
from framecast.jobs.states import JobState
from framecast.web.context import WebContext
from framecast.web.security.media_links import MediaLinks, media_key
from tests.web.conftest import Account
from tests.web.test_batch_zip_api import finished_batch, run_zip_worker
from tests.web.test_files_api import VIDEO_BYTES, add_file
from tests.web.test_tutor_ws import connect, new_session, receive, receive_until
from tests.web.test_uploads import image_bytes

PUBLIC = "https://media.example.org"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_WEB__PUBLIC_BASE_URL", f"{PUBLIC}/")
    monkeypatch.setenv("FRAMECAST_JOBS__POLL_S", "0.01")
    get_settings.cache_clear()
    return get_settings()


def assert_signed(url: str, path: str) -> None:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    assert parts.path == path
    assert set(parse_qs(parts.query)) == {"exp", "sig"}


def changed(url: str, part: str) -> str:
    """``url`` with one character of its path, ``exp`` or ``sig`` changed."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if part == "path":
        # The last character of the id (``/files/<id>/content``), so the path still names a route.
        head, tail = parts.path.rsplit("/", 1)
        head = head[:-1] + ("1" if head[-1] != "1" else "2")
        return f"{PUBLIC}{head}/{tail}?{parts.query}"
    value = query[part]
    query[part] = value[:-1] + ("1" if value[-1] != "1" else "2")
    return f"{PUBLIC}{parts.path}?exp={query['exp']}&sig={query['sig']}"


def expired_link(settings: Settings, path: str) -> str:
    """What the server signed two hours ago with a one-hour TTL."""
    two_hours_ago = time.time() - 7200
    old = MediaLinks(
        media_key(secret_bytes(settings)), base_url=PUBLIC, ttl_s=3600.0, clock=lambda: two_hours_ago
    )
    return old.url(path)


def with_poster(web: WebContext, file_id: int) -> None:
    with web.db.session() as session:
        row = session.get(MediaFile, file_id)
        assert row is not None
        poster = web.media_root / "poster.jpg"
        poster.write_bytes(image_bytes())
        row.poster_path = str(poster)


def test_library_urls_are_absolute_signed_and_play_without_a_login_with_range(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    file_id = add_file(web, alice, "clip.mp4")
    with_poster(web, file_id)

    (item,) = client.get("/api/files", headers=alice.headers).json()["items"]
    client.cookies.clear()
    whole = client.get(item["url"])
    head = client.head(item["url"])
    part = client.get(item["url"], headers={"Range": "bytes=0-99"})
    poster = client.get(item["poster_url"])
    download = client.get(f"{item['url']}&download=1")

    assert_signed(item["url"], f"/files/{file_id}/content")
    assert_signed(item["poster_url"], f"/files/{file_id}/poster")
    assert (whole.status_code, whole.content) == (200, VIDEO_BYTES)
    assert (head.status_code, head.headers["content-length"]) == (200, str(len(VIDEO_BYTES)))
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-99/{len(VIDEO_BYTES)}"
    assert part.content == VIDEO_BYTES[:100]
    assert (poster.status_code, poster.headers["content-type"]) == (200, "image/jpeg")
    assert download.headers["content-disposition"].startswith("attachment")


def test_a_jobs_files_carry_the_same_signed_urls(client: TestClient, web: WebContext, alice: Account) -> None:
    file_id = add_file(web, alice, "made.mp4")
    with web.db.session() as session:
        job = Job(
            owner_id=alice.user_id,
            provider="offline",
            mode="text",
            request={"prompt": "a fox"},
            state=JobState.SUCCEEDED.value,
            provider_ids=[],
            outputs=[],
        )
        session.add(job)
        session.flush()
        row = session.get(MediaFile, file_id)
        assert row is not None
        row.job_id = job.id
        job_id = job.id

    (listed,) = client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()["files"]

    assert_signed(listed["url"], f"/files/{file_id}/content")
    assert client.get(listed["url"]).content == VIDEO_BYTES


@pytest.mark.parametrize("part", ["path", "exp", "sig"])
def test_a_changed_link_answers_403(client: TestClient, web: WebContext, alice: Account, part: str) -> None:
    add_file(web, alice, "clip.mp4")
    (item,) = client.get("/api/files", headers=alice.headers).json()["items"]

    refused = client.get(changed(item["url"], part))
    refused_even_with_the_owners_token = client.get(changed(item["url"], part), headers=alice.headers)

    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "this media link was changed or cut short; ask the API for a fresh link"
    )
    assert refused_even_with_the_owners_token.status_code == 403


def test_a_link_for_one_file_does_not_open_the_next_one(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    first = add_file(web, alice, "one.mp4")
    second = add_file(web, alice, "two.mp4")
    url = next(
        i["url"] for i in client.get("/api/files", headers=alice.headers).json()["items"] if i["id"] == first
    )

    assert client.get(url.replace(f"/files/{first}/", f"/files/{second}/")).status_code == 403


def test_an_expired_link_answers_403(
    client: TestClient, settings: Settings, web: WebContext, alice: Account
) -> None:
    file_id = add_file(web, alice, "clip.mp4")

    refused = client.get(expired_link(settings, f"/files/{file_id}/content"))

    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "this media link has expired; ask the API for a fresh link"


def test_an_unsigned_request_still_needs_the_owner(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    file_id = add_file(web, alice, "clip.mp4")

    assert client.get(f"/files/{file_id}/content").status_code == 401
    assert client.get(f"/files/{file_id}/content", headers=bob.headers).status_code == 404
    assert client.get(f"/files/{file_id}/poster", headers=bob.headers).status_code == 404
    assert client.get(f"/files/{file_id}/content", headers=alice.headers).content == VIDEO_BYTES


def test_a_batch_zip_part_is_a_signed_download(
    client: TestClient, web: WebContext, settings: Settings, alice: Account, bob: Account
) -> None:
    batch_id = finished_batch(web, alice, ["intro.mp4"])
    client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    run_zip_worker(web, settings)

    (part,) = client.get(f"/api/batches/{batch_id}/zip", headers=alice.headers).json()["parts"]
    download = client.get(part["url"])

    assert_signed(part["url"], f"/api/batches/{batch_id}/zip/1")
    assert (download.status_code, download.headers["content-type"]) == (200, "application/zip")
    assert len(download.content) == part["bytes"]
    assert client.get(changed(part["url"], "sig")).status_code == 403
    assert client.get(f"/api/batches/{batch_id}/zip/1", headers=bob.headers).status_code == 404


def test_tutor_speech_and_video_urls_are_signed_on_the_socket_and_in_the_history(
    client: TestClient, bob: Account
) -> None:
    session_id = new_session(client, bob)
    with connect(client, bob, session_id) as ws:
        opening = receive(ws)
        ws.send_text(json.dumps({"type": "text", "data": {"text": "Yesterday I go to the park."}}))
        response, _ = receive_until(ws, "response")
        reply_id = response["data"]["message_id"]
        update, _ = receive_until(ws, "video_update", message_id=reply_id)
        ws.send_text(json.dumps({"type": "control", "data": {"command": "stop"}}))
    history: list[dict[str, Any]] = client.get(
        f"/api/conversations/sessions/{session_id}/conversations", headers=bob.headers
    ).json()
    detail = client.get(f"/api/conversations/sessions/{session_id}", headers=bob.headers).json()
    client.cookies.clear()
    video = client.get(update["data"]["video_url"], headers={"Range": "bytes=0-15"})
    speech = client.get(response["data"]["audio_url"])

    assert_signed(opening["data"]["audio_url"], f"/api/tutor/messages/{opening['data']['message_id']}/audio")
    assert_signed(response["data"]["audio_url"], f"/api/tutor/messages/{reply_id}/audio")
    assert_signed(update["data"]["video_url"], f"/api/tutor/messages/{reply_id}/video")
    assert video.status_code == 206
    assert video.content[4:8] == b"ftyp"
    assert speech.status_code == 200
    assert speech.headers["content-type"] in ("audio/mpeg", "audio/wav")
    (reply,) = [m for m in history if m["id"] == reply_id]
    assert_signed(reply["video_url"], f"/api/tutor/messages/{reply_id}/video")
    assert_signed(reply["audio_url"], f"/api/tutor/messages/{reply_id}/audio")
    assert [m["video_url"] for m in detail["conversations"] if m["id"] == reply_id] == [reply["video_url"]]
    assert client.get(changed(update["data"]["video_url"], "path")).status_code == 403
    assert client.get(f"/api/tutor/messages/{reply_id}/video").status_code == 401


def test_a_practice_phrase_says_where_its_spoken_example_plays(client: TestClient, bob: Account) -> None:
    phrase = client.get("/api/practice/phrases", headers=bob.headers).json()[0]

    spoken = client.get(phrase["audio_url"])

    assert_signed(phrase["audio_url"], f"/api/practice/phrases/{phrase['id']}/audio")
    assert (spoken.status_code, spoken.headers["content-type"]) == (200, "audio/mpeg")
    assert client.get(changed(phrase["audio_url"], "exp")).status_code == 403
