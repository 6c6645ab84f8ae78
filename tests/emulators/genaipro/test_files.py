"""``/files``: real media from the offline renderer under each item's URL, and synthetic blobs."""

from __future__ import annotations

import json
import struct
from typing import Any

import httpx
import pytest

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import AUTH, TEXT_TO_VIDEO, png_upload, post_stream, sse_events

PNG_SIGNATURE = bytes.fromhex("89504e470d0a1a0a")


def test_a_blob_has_the_requested_size_and_starts_like_an_mp4(emulator: EmulatorHandle) -> None:
    size = 3 * 1024 * 1024 + 17
    with httpx.stream("GET", f"{emulator.root_url}/files/blob-{size}.mp4") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "video/mp4"
        assert response.headers["content-length"] == str(size)
        head = b""
        received = 0
        for chunk in response.iter_bytes():
            if len(head) < 32:
                head += chunk[:32]
            received += len(chunk)

    assert received == size
    assert head[4:8] == b"ftyp"
    assert struct.unpack(">I4s", head[24:32]) == (size - 24, b"mdat")


def test_a_blob_below_the_smallest_mp4_header_is_404(emulator: EmulatorHandle) -> None:
    response = httpx.get(f"{emulator.root_url}/files/blob-10.mp4")

    assert response.status_code == 404
    assert response.json() == {"error": "File not found"}


def test_an_unknown_file_is_404(emulator: EmulatorHandle) -> None:
    assert httpx.get(f"{emulator.root_url}/files/nothing.mp4").status_code == 404


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/veo/text-to-video", {"json": TEXT_TO_VIDEO}),
        ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "aspect_ratio": "VIDEO_ASPECT_RATIO_PORTRAIT"}}),
        (
            "/veo/frames-to-video",
            {
                "data": {"prompt": "p", "aspect_ratio": "VIDEO_ASPECT_RATIO_LANDSCAPE"},
                "files": {"start_image": png_upload()},
            },
        ),
        ("/veo/ingredients-to-video", {"data": {"prompt": "p"}, "files": {"reference_images": png_upload()}}),
    ],
)
def test_a_completed_video_is_served_as_a_real_mp4(
    client: httpx.Client, path: str, kwargs: dict[str, Any]
) -> None:
    _, body = post_stream(client, path, **kwargs)
    [item] = json.loads(sse_events(body)[-1][1])

    response = httpx.get(item["file_url"], timeout=60.0)

    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    assert response.content[4:8] == b"ftyp"
    assert len(response.content) > 1000


def test_every_image_of_a_request_is_served_as_a_real_png(client: httpx.Client) -> None:
    data = {"prompt": "a fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_SQUARE", "number_of_images": "2"}
    _, body = post_stream(client, "/veo/create-image", data=data)
    urls = json.loads(sse_events(body)[-1][1])["file_urls"]

    responses = [httpx.get(url, timeout=60.0) for url in urls]

    assert [r.status_code for r in responses] == [200, 200]
    assert all(r.headers["content-type"] == "image/png" for r in responses)
    assert all(r.content.startswith(PNG_SIGNATURE) for r in responses)


def test_unknown_routes_and_methods_answer_in_the_json_error_shape(emulator: EmulatorHandle) -> None:
    missing = httpx.get(emulator.base_url + "/veo/nothing-here")
    wrong_method = httpx.get(emulator.base_url + "/veo/text-to-video")

    assert (missing.status_code, missing.json()) == (404, {"error": "Not found"})
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"error": "Method not allowed"})


def test_files_need_no_token_by_default(emulator: EmulatorHandle) -> None:
    assert httpx.get(f"{emulator.root_url}/files/blob-64.mp4").status_code == 200


def test_with_files_need_auth_a_download_without_a_token_is_401_and_with_one_is_served(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(files_need_auth=True)
    _, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)
    [item] = json.loads(sse_events(body)[-1][1])
    blob = f"{emulator.root_url}/files/blob-64.mp4"

    for url in (item["file_url"], blob, f"{emulator.root_url}/files/nothing.mp4"):
        for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
            response = httpx.get(url, headers=headers)
            assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})
    served = httpx.get(item["file_url"], headers=AUTH, timeout=60.0)
    assert (served.status_code, served.content[4:8]) == (200, b"ftyp")
    assert httpx.get(blob, headers=AUTH).status_code == 200
    assert httpx.get(f"{emulator.root_url}/files/nothing.mp4", headers=AUTH).status_code == 404


def test_with_files_need_auth_and_an_api_key_only_that_key_downloads(emulator: EmulatorHandle) -> None:
    emulator.reset(files_need_auth=True, api_key="eyJ.the.key")
    blob = f"{emulator.root_url}/files/blob-64.mp4"

    assert httpx.get(blob, headers={"Authorization": "Bearer eyJ.other.key"}).status_code == 401
    assert httpx.get(blob, headers={"Authorization": "Bearer eyJ.the.key"}).status_code == 200
