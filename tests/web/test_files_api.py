"""The library: ``/api/files`` (search, filter, page), ``/files/{id}/content`` (Range, download), delete."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from framecast.db.base import utcnow
from framecast.db.library import MediaFile
from framecast.web.context import WebContext
from tests.web.conftest import Account
from tests.web.test_uploads import image_bytes

VIDEO_BYTES = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8


def add_file(
    web: WebContext,
    owner: Account,
    name: str,
    *,
    prompt: str = "",
    kind: str = "video",
    content: bytes = VIDEO_BYTES,
    age_s: int = 0,
) -> int:
    folder = web.media_root / str(owner.user_id) / "library"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    with web.db.session() as session:
        row = MediaFile(
            owner_id=owner.user_id,
            kind=kind,
            path=str(path),
            name=name,
            prompt=prompt,
            provider="offline",
            size_bytes=len(content),
            created_at=utcnow() - timedelta(seconds=age_s),
        )
        session.add(row)
        session.flush()
        return row.id


def names(response_json: dict[str, object]) -> list[str]:
    items = response_json["items"]
    assert isinstance(items, list)
    return [item["name"] for item in items]


def test_the_list_is_newest_first_and_has_the_contract_fields(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    old = add_file(web, alice, "old.mp4", prompt="an old clip", age_s=60)
    new = add_file(web, alice, "new.png", prompt="a new still", kind="image", content=image_bytes())

    body = client.get("/api/files", headers=alice.headers).json()

    assert body["total"] == 2
    assert [item["id"] for item in body["items"]] == [new, old]
    first = body["items"][0]
    assert set(first) == {
        "id",
        "name",
        "kind",
        "prompt",
        "provider",
        "size_bytes",
        "created_at",
        "url",
        "poster_url",
        "job_id",
        "batch_id",
    }
    assert (first["kind"], first["prompt"], first["url"]) == ("image", "a new still", f"/files/{new}/content")
    assert first["poster_url"] is None  # an image is its own picture
    assert first["size_bytes"] == len(image_bytes())


def test_q_matches_the_prompt_or_the_name_and_kind_filters(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    add_file(web, alice, "heron.mp4", prompt="A grey bird at dawn", age_s=3)
    add_file(web, alice, "city.mp4", prompt="Night traffic, heron-shaped clouds", age_s=2)
    add_file(web, alice, "sea.png", prompt="waves", kind="image", content=image_bytes(), age_s=1)
    add_file(web, alice, "100%_done.mp4", prompt="percent", age_s=0)

    def search(**params: str) -> list[str]:
        return names(client.get("/api/files", params=params, headers=alice.headers).json())

    assert search(q="HERON") == ["city.mp4", "heron.mp4"]
    assert search(q="bird") == ["heron.mp4"]
    assert search(kind="image") == ["sea.png"]
    assert search(q="heron", kind="image") == []
    assert search(q="%") == ["100%_done.mp4"]
    assert search(limit="2", offset="1") == ["sea.png", "city.mp4"]


def test_an_unknown_kind_is_refused(client: TestClient, alice: Account) -> None:
    response = client.get("/api/files", params={"kind": "audio"}, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["error"]["type"] == "invalid_input"


def test_content_is_served_inline_with_range_support(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    file_id = add_file(web, alice, "clip.mp4")

    whole = client.get(f"/files/{file_id}/content", headers=alice.headers)
    part = client.get(f"/files/{file_id}/content", headers={**alice.headers, "Range": "bytes=10-19"})
    tail = client.get(f"/files/{file_id}/content", headers={**alice.headers, "Range": "bytes=-5"})

    assert whole.status_code == 200
    assert whole.content == VIDEO_BYTES
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-disposition"] == 'inline; filename="clip.mp4"'
    assert part.status_code == 206
    assert part.content == VIDEO_BYTES[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(VIDEO_BYTES)}"
    assert tail.content == VIDEO_BYTES[-5:]


def test_download_1_asks_the_browser_to_save_the_file(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    file_id = add_file(web, alice, "still.png", kind="image", content=image_bytes())

    response = client.get(f"/files/{file_id}/content", params={"download": "1"}, headers=alice.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == 'attachment; filename="still.png"'


def test_a_file_gone_from_disk_is_404(client: TestClient, web: WebContext, alice: Account) -> None:
    file_id = add_file(web, alice, "gone.mp4")
    (web.media_root / str(alice.user_id) / "library" / "gone.mp4").unlink()

    response = client.get(f"/files/{file_id}/content", headers=alice.headers)

    assert response.status_code == 404
    assert "no longer on disk" in response.json()["error"]["message"]


def test_delete_removes_the_row_and_the_file(client: TestClient, web: WebContext, alice: Account) -> None:
    file_id = add_file(web, alice, "bye.mp4")
    path = web.media_root / str(alice.user_id) / "library" / "bye.mp4"

    response = client.delete(f"/api/files/{file_id}", headers=alice.headers)

    assert response.status_code == 204
    assert not path.exists()
    assert client.get("/api/files", headers=alice.headers).json() == {"items": [], "total": 0}
    assert client.get(f"/files/{file_id}/content", headers=alice.headers).status_code == 404
    assert client.delete(f"/api/files/{file_id}", headers=alice.headers).status_code == 404


def test_every_library_route_needs_a_login(client: TestClient, web: WebContext, alice: Account) -> None:
    file_id = add_file(web, alice, "clip.mp4")

    answers = [
        client.get("/api/files"),
        client.get(f"/files/{file_id}/content"),
        client.delete(f"/api/files/{file_id}"),
    ]

    assert [r.status_code for r in answers] == [401, 401, 401]
    assert {r.json()["error"]["type"] for r in answers} == {"not_authenticated"}


def test_a_browser_asking_for_content_without_a_login_is_sent_to_the_login_page(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    file_id = add_file(web, alice, "clip.mp4")

    response = client.get(
        f"/files/{file_id}/content", headers={"Accept": "text/html"}, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/files/{file_id}/content"


def test_bob_sees_none_of_alices_files(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    file_id = add_file(web, alice, "private.mp4", prompt="alice's secret")
    path = Path(web.media_root / str(alice.user_id) / "library" / "private.mp4")

    listed = client.get("/api/files", params={"q": "secret"}, headers=bob.headers).json()
    content = client.get(f"/files/{file_id}/content", headers=bob.headers)
    deleted = client.delete(f"/api/files/{file_id}", headers=bob.headers)

    assert listed == {"items": [], "total": 0}
    assert (content.status_code, deleted.status_code) == (404, 404)
    assert content.json()["error"]["message"] == deleted.json()["error"]["message"] == f"no file {file_id}"
    assert path.is_file()
    assert client.get(f"/files/{file_id}/content", headers=alice.headers).status_code == 200
