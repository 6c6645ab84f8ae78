"""Media routes read through the store: on S3 a presigned redirect after the owner check, or the
object proxied with Range; on the data dir, the file as before (``test_files_api.py``)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from framecast.core.storage import S3Store
from framecast.db.library import MediaFile
from framecast.web.app import create_app
from framecast.web.context import WebContext
from tests.s3_server import S3Server
from tests.web.conftest import Account, make_account

VIDEO = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 64


@pytest.fixture(params=["presign", "proxy"])
def s3_app(
    request: pytest.FixtureRequest, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> FastAPI:
    from framecast.core.settings import get_settings

    for name, value in s3_server.env(s3_bucket).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FRAMECAST_STORAGE__SERVE", request.param)
    get_settings.cache_clear()
    return create_app(get_settings(), embedded_worker=False, tutor_renders=False)


@pytest.fixture
def s3_web(s3_app: FastAPI) -> WebContext:
    context: WebContext = s3_app.state.web
    return context


def stored_file(web: WebContext, owner: Account, key: str, content: bytes = VIDEO) -> int:
    asyncio.run(web.store.put_bytes(key, content, content_type="video/mp4"))
    with web.db.session() as session:
        row = MediaFile(
            owner_id=owner.user_id,
            kind="video",
            path=key,
            name="clip.mp4",
            prompt="",
            provider="offline",
            size_bytes=len(content),
        )
        session.add(row)
        session.flush()
        return row.id


def test_an_owner_gets_the_object_and_its_ranges_from_the_bucket(s3_app: FastAPI, s3_web: WebContext) -> None:
    assert isinstance(s3_web.store, S3Store)
    alice = make_account(s3_web, "alice@example.com")
    file_id = stored_file(s3_web, alice, f"media/{alice.user_id}/jobs/j/clip.mp4")
    with TestClient(s3_app) as client:
        answer = client.get(f"/files/{file_id}/content", headers=alice.headers, follow_redirects=False)
        ranged_headers = {**alice.headers, "Range": "bytes=4-11"}
        if s3_web.store.presign_seconds is not None:
            assert answer.status_code == 307
            url = answer.headers["location"]
            assert "X-Amz-Signature=" in url
            assert answer.headers["cache-control"] == "no-store"
            whole = httpx.get(url)
            ranged = httpx.get(url, headers={"Range": "bytes=4-11"})
        else:
            whole = answer
            ranged = client.get(f"/files/{file_id}/content", headers=ranged_headers)
        head = client.head(f"/files/{file_id}/content", headers=alice.headers, follow_redirects=False)
        download = client.get(f"/files/{file_id}/content?download=1", headers=alice.headers)
    assert whole.status_code == 200
    assert whole.content == VIDEO
    assert ranged.status_code == 206
    assert ranged.content == b"ftypisom"
    assert head.status_code in (200, 307)
    assert download.status_code == 200
    assert download.content == VIDEO
    assert "attachment" in download.headers["content-disposition"]


def test_nobody_else_gets_a_url_and_a_missing_object_is_404(s3_app: FastAPI, s3_web: WebContext) -> None:
    alice = make_account(s3_web, "alice@example.com")
    bob = make_account(s3_web, "bob@example.com")
    file_id = stored_file(s3_web, alice, "media/1/jobs/j/clip.mp4")
    with s3_web.db.session() as session:
        gone = MediaFile(
            owner_id=alice.user_id,
            kind="video",
            path="media/1/gone.mp4",
            name="gone.mp4",
            prompt="",
            provider="offline",
            size_bytes=1,
        )
        session.add(gone)
        session.flush()
        gone_id = gone.id
    with TestClient(s3_app) as client:
        stranger = client.get(f"/files/{file_id}/content", headers=bob.headers, follow_redirects=False)
        missing = client.get(f"/files/{gone_id}/content", headers=alice.headers, follow_redirects=False)
        deleted = client.delete(f"/api/files/{file_id}", headers=alice.headers)
    assert stranger.status_code == 404
    assert "location" not in stranger.headers
    assert missing.status_code == 404
    assert deleted.status_code == 204
    assert asyncio.run(s3_web.store.stat("media/1/jobs/j/clip.mp4")) is None


def test_a_file_still_on_the_local_disk_is_served_while_the_bucket_lacks_it(
    s3_app: FastAPI, s3_web: WebContext
) -> None:
    alice = make_account(s3_web, "alice@example.com")
    path = s3_web.media_root / "1" / "old.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(VIDEO)
    with s3_web.db.session() as session:
        row = MediaFile(
            owner_id=alice.user_id,
            kind="video",
            path=str(path),
            name="old.mp4",
            prompt="",
            provider="offline",
            size_bytes=len(VIDEO),
        )
        session.add(row)
        session.flush()
        file_id = row.id
    with TestClient(s3_app) as client:
        answer = client.get(f"/files/{file_id}/content", headers=alice.headers)
    assert answer.status_code == 200
    assert answer.content == VIDEO
