"""download_file: streamed to a temp file, verified by content, renamed into place, retried sensibly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

import httpx
import pytest

from framecast.core.errors import DownloadError
from framecast.providers.downloads import download_file

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 100
WEBP = b"RIFF\x64\x00\x00\x00WEBPVP8 " + b"\x02" * 100
URL = "https://files.test/video_1.mp4"

Handler = Callable[[httpx.Request], httpx.Response]


def chunked(
    parts: Iterable[bytes], *, fail_with: type[httpx.TransportError] | None = None
) -> AsyncIterator[bytes]:
    async def body() -> AsyncIterator[bytes]:
        for part in parts:
            yield part
        if fail_with is not None:
            raise fail_with("connection lost")

    return body()


class Server:
    """Answers the n-th request with the n-th response factory; records the requests."""

    def __init__(self, *answers: Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return answer(request)


def ok(body: bytes, **headers: str) -> Handler:
    return lambda request: httpx.Response(200, content=body, headers=headers)


def status(code: int, **headers: str) -> Handler:
    return lambda request: httpx.Response(code, text="error", headers=headers)


async def fetch(server: Server, dest: Path, *, url: str = URL, **options: object) -> Path:
    settings: dict[str, object] = {"kind": "video", "max_bytes": 100 * 1024**2, "backoff_s": 0.0} | options
    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
        return await download_file(http, url, dest, **settings)  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of its own (the suite's fixtures put other things in ``tmp_path``)."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_a_big_chunked_video_is_written_whole(folder: Path) -> None:
    chunk = bytes(range(256)) * 256  # 64 KiB
    parts = [MP4_HEAD, *([chunk] * 160)]  # about 10 MiB
    server = Server(lambda request: httpx.Response(200, content=chunked(parts)))
    dest = folder / "out" / "clip.mp4"
    final = await fetch(server, dest)
    assert final == dest
    assert final.stat().st_size == len(MP4_HEAD) + 160 * len(chunk)
    with final.open("rb") as written:
        assert written.read(len(MP4_HEAD)) == MP4_HEAD
    assert leftovers(dest.parent) == ["clip.mp4"]


async def test_a_video_without_an_ftyp_box_is_refused_and_nothing_is_left(folder: Path) -> None:
    server = Server(ok(b"<!DOCTYPE html><html>Access denied</html>"))
    dest = folder / "clip.mp4"
    with pytest.raises(DownloadError, match=r"not an MP4 video.*HTML"):
        await fetch(server, dest)
    assert leftovers(folder) == []
    assert len(server.requests) == 1


async def test_an_empty_body_is_refused(folder: Path) -> None:
    with pytest.raises(DownloadError, match="empty"):
        await fetch(Server(ok(b"")), folder / "clip.mp4")
    assert leftovers(folder) == []


@pytest.mark.parametrize(
    ("body", "dest_name", "final_name"),
    [
        (PNG, "image.png", "image.png"),
        (PNG, "image.jpg", "image.png"),
        (JPEG, "image.png", "image.jpg"),
        (JPEG, "image.jpeg", "image.jpeg"),
        (WEBP, "image.png", "image.webp"),
    ],
)
async def test_images_are_verified_and_get_the_suffix_of_their_real_format(
    folder: Path, body: bytes, dest_name: str, final_name: str
) -> None:
    final = await fetch(Server(ok(body)), folder / dest_name, kind="image")
    assert final == folder / final_name
    assert final.read_bytes() == body
    assert leftovers(folder) == [final_name]


async def test_an_image_that_is_not_png_jpeg_or_webp_is_refused(folder: Path) -> None:
    with pytest.raises(DownloadError, match="not a PNG, JPEG or WebP image"):
        await fetch(Server(ok(b"GIF89a" + b"\x00" * 20)), folder / "i.png", kind="image")
    assert leftovers(folder) == []


async def test_a_truncated_body_is_retried_until_it_arrives_whole(folder: Path) -> None:
    body = MP4_HEAD + b"x" * 1000
    truncated = Server(
        lambda request: httpx.Response(
            200, headers={"content-length": str(len(body))}, content=chunked([body[:500]])
        ),
        ok(body),
    )
    final = await fetch(truncated, folder / "clip.mp4")
    assert final.read_bytes() == body
    assert len(truncated.requests) == 2
    assert leftovers(folder) == ["clip.mp4"]


async def test_a_connection_lost_midway_is_retried(folder: Path) -> None:
    body = MP4_HEAD + b"y" * 100
    server = Server(
        lambda request: httpx.Response(200, content=chunked([MP4_HEAD], fail_with=httpx.ReadError)),
        ok(body),
    )
    assert (await fetch(server, folder / "clip.mp4")).read_bytes() == body


@pytest.mark.parametrize("code", [500, 502, 503, 504, 429])
async def test_server_errors_and_rate_limits_are_retried(folder: Path, code: int) -> None:
    server = Server(status(code, **{"Retry-After": "0"}), status(code), ok(MP4_HEAD))
    assert (await fetch(server, folder / "clip.mp4")).read_bytes() == MP4_HEAD
    assert len(server.requests) == 3


async def test_a_connect_error_is_retried(folder: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    server = Server(refuse, ok(MP4_HEAD))
    assert (await fetch(server, folder / "clip.mp4")).read_bytes() == MP4_HEAD


async def test_retries_stop_after_the_given_attempts(folder: Path) -> None:
    server = Server(status(503))
    with pytest.raises(DownloadError, match="after 3 attempts: HTTP 503"):
        await fetch(server, folder / "clip.mp4", attempts=3)
    assert len(server.requests) == 3
    assert leftovers(folder) == []


@pytest.mark.parametrize("code", [404, 410])
async def test_a_missing_file_is_not_retried(folder: Path, code: int) -> None:
    server = Server(status(code))
    with pytest.raises(DownloadError, match=f"gone \\(HTTP {code}\\)"):
        await fetch(server, folder / "clip.mp4")
    assert len(server.requests) == 1


@pytest.mark.parametrize("code", [401, 403])
async def test_an_auth_refusal_is_retried_once_with_the_authorization_header(folder: Path, code: int) -> None:
    server = Server(status(code), ok(MP4_HEAD))
    await fetch(server, folder / "clip.mp4", auth_header="Bearer k")
    assert "authorization" not in server.requests[0].headers
    assert server.requests[1].headers["authorization"] == "Bearer k"


async def test_an_auth_refusal_with_the_header_too_is_final(folder: Path) -> None:
    server = Server(status(403))
    with pytest.raises(DownloadError, match="access denied"):
        await fetch(server, folder / "clip.mp4", auth_header="Bearer k")
    assert len(server.requests) == 2


async def test_an_auth_refusal_without_a_header_to_try_is_final(folder: Path) -> None:
    server = Server(status(401))
    with pytest.raises(DownloadError, match="access denied"):
        await fetch(server, folder / "clip.mp4")
    assert len(server.requests) == 1


async def test_a_declared_size_over_the_limit_is_refused_without_retrying(folder: Path) -> None:
    server = Server(ok(MP4_HEAD + b"z" * 100))
    with pytest.raises(DownloadError, match="more than the 50-byte limit"):
        await fetch(server, folder / "clip.mp4", max_bytes=50)
    assert len(server.requests) == 1
    assert leftovers(folder) == []


async def test_an_undeclared_body_over_the_limit_is_cut_off(folder: Path) -> None:
    server = Server(lambda request: httpx.Response(200, content=chunked([MP4_HEAD] + [b"z" * 40] * 10)))
    with pytest.raises(DownloadError, match="larger than the 100-byte limit"):
        await fetch(server, folder / "clip.mp4", max_bytes=100)
    assert leftovers(folder) == []


async def test_a_failed_download_leaves_an_existing_file_untouched(folder: Path) -> None:
    dest = folder / "clip.mp4"
    dest.write_bytes(b"the earlier good copy")
    with pytest.raises(DownloadError):
        await fetch(Server(status(503)), dest, attempts=2)
    assert dest.read_bytes() == b"the earlier good copy"
    assert leftovers(folder) == ["clip.mp4"]


async def test_a_successful_download_replaces_an_existing_file(folder: Path) -> None:
    dest = folder / "clip.mp4"
    dest.write_bytes(b"old")
    await fetch(Server(ok(MP4_HEAD)), dest)
    assert dest.read_bytes() == MP4_HEAD


async def test_error_messages_leave_out_the_signed_query(folder: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        await fetch(Server(status(404)), folder / "clip.mp4", url=URL + "?token=s3cret")
    assert "s3cret" not in str(caught.value)
    assert "files.test/video_1.mp4" in str(caught.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.test/a.mp4"])
async def test_only_http_urls_are_fetched(folder: Path, url: str) -> None:
    server = Server(ok(MP4_HEAD))
    with pytest.raises(DownloadError, match="only http and https"):
        await fetch(server, folder / "clip.mp4", url=url)
    assert server.requests == []


async def test_a_result_that_needs_the_key_gets_it_only_from_the_providers_own_hosts(folder: Path) -> None:
    from framecast.providers.base import Mode
    from framecast.providers.registry import DownloadAuth, key_hosts
    from framecast.studio.outputs import materialize

    def needs_key(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != "Bearer the-key":
            return httpx.Response(401, text="no")
        return httpx.Response(200, content=MP4_HEAD)

    auth = DownloadAuth("Bearer the-key", key_hosts("https://genaipro.vn/api/v1"))
    own = Server(needs_key)
    foreign = Server(needs_key)
    planned = [{"provider_id": "a", "url": "https://files.genaipro.vn/a.mp4", "path": str(folder / "a.mp4")}]
    elsewhere = [{"provider_id": "b", "url": "https://evil.example/b.mp4", "path": str(folder / "b.mp4")}]

    async with httpx.AsyncClient(transport=httpx.MockTransport(own)) as http:
        done = await materialize(planned, mode=Mode.TEXT, http=http, max_bytes=10**6, auth=auth)
    async with httpx.AsyncClient(transport=httpx.MockTransport(foreign)) as http:
        with pytest.raises(DownloadError, match="access denied"):
            await materialize(elsewhere, mode=Mode.TEXT, http=http, max_bytes=10**6, auth=auth)

    assert Path(done[0]["path"]).read_bytes() == MP4_HEAD
    assert [r.headers.get("authorization") for r in own.requests] == [None, "Bearer the-key"]
    assert all("authorization" not in r.headers for r in foreign.requests)
