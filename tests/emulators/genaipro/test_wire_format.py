"""The stream as the real service writes it: named events, no space after the colon, bare words."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import LANDSCAPE, TEXT_TO_VIDEO, png_upload, post_stream, sse_events


def test_text_to_video_streams_named_events_without_a_space_and_with_bare_status_words(
    client: httpx.Client,
) -> None:
    response, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    blocks = body.split("\n\n")
    assert blocks[0] == "event:video_generation_status\ndata:starting"
    assert blocks[1] == "event:video_generation_status\ndata:processing"
    assert blocks[2] == "event:video_generation_status\ndata:processing"
    assert blocks[-2].startswith("event:video_generation_complete\ndata:[{")
    assert blocks[-1] == ""
    assert "event: " not in body
    assert "data: " not in body


def test_video_completion_is_a_json_array_with_one_item_per_video(
    client: httpx.Client, emulator: EmulatorHandle
) -> None:
    _, body = post_stream(client, "/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 3})

    name, data = sse_events(body)[-1]
    items = json.loads(data)
    assert name == "video_generation_complete"
    assert [sorted(item) for item in items] == [["created_at", "file_url", "id", "prompt", "status"]] * 3
    assert len({item["id"] for item in items}) == 3
    assert all(item["prompt"] == TEXT_TO_VIDEO["prompt"] for item in items)
    assert all(item["status"] == "completed" for item in items)
    assert all(item["created_at"].endswith("Z") for item in items)
    assert all(item["file_url"] == f"{emulator.root_url}/files/{item['id']}.mp4" for item in items)


def test_a_completed_stream_leaves_the_items_completed_in_history_and_charged(
    client: httpx.Client, emulator: EmulatorHandle
) -> None:
    _, body = post_stream(client, "/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2})

    ids = {item["id"] for item in json.loads(sse_events(body)[-1][1])}
    rows = client.get("/veo/histories").json()["data"]
    assert {row["id"] for row in rows} == ids
    assert all(row["status"] == "completed" and row["file_urls"] == [row["file_url"]] for row in rows)
    assert client.get("/veo/me").json()["used_quota"] == 2
    stats = emulator.stats()
    assert (stats["accepted"], stats["completed"], stats["in_flight"]) == (1, 1, 0)
    assert stats["accepted_prompts"] == {TEXT_TO_VIDEO["prompt"]: 1}


def test_frames_to_video_reports_uploading_images_after_starting(client: httpx.Client) -> None:
    data = {"prompt": "zoom in", "aspect_ratio": "VIDEO_ASPECT_RATIO_PORTRAIT", "number_of_videos": "1"}
    _, body = post_stream(client, "/veo/frames-to-video", data=data, files={"start_image": png_upload()})

    statuses = [data for name, data in sse_events(body) if name == "video_generation_status"]
    assert statuses[:3] == ["starting", "uploading_images", "processing"]
    assert sse_events(body)[-1][0] == "video_generation_complete"


def test_ingredients_to_video_accepts_reference_images_and_the_images_alias(client: httpx.Client) -> None:
    for field in ("reference_images", "images"):
        files = [(field, png_upload("a.png")), (field, png_upload("b.png"))]
        response, body = post_stream(
            client, "/veo/ingredients-to-video", data={"prompt": "a product shot"}, files=files
        )

        assert response.status_code == 200
        assert "data:uploading_images" in body
        assert sse_events(body)[-1][0] == "video_generation_complete"


def test_images_stream_generating_then_one_object_with_every_file_url(
    client: httpx.Client, emulator: EmulatorHandle
) -> None:
    data = {"prompt": "a red fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_SQUARE", "number_of_images": "2"}
    response, body = post_stream(client, "/veo/create-image", data=data)

    assert response.status_code == 200
    events = sse_events(body)
    assert events[0] == ("image_generation_status", "generating")
    name, payload = events[-1]
    item = json.loads(payload)
    assert name == "image_generation_complete"
    assert sorted(item) == ["created_at", "file_urls", "id", "prompt", "status"]
    assert item["file_urls"] == [
        f"{emulator.root_url}/files/{item['id']}.png",
        f"{emulator.root_url}/files/{item['id']}-2.png",
    ]
    assert client.get("/veo/me").json()["used_quota"] == 2


def test_create_image_accepts_multipart_with_reference_images(client: httpx.Client) -> None:
    data = {"prompt": "the same fox, winter", "aspect_ratio": "IMAGE_ASPECT_RATIO_PORTRAIT"}
    response, body = post_stream(
        client, "/veo/create-image", data=data, files={"reference_images": png_upload()}
    )

    assert response.status_code == 200
    assert sse_events(body)[-1][0] == "image_generation_complete"


def test_text_to_video_accepts_a_form_body_too(client: httpx.Client) -> None:
    data = {"prompt": "a boat", "aspect_ratio": LANDSCAPE, "number_of_videos": "1"}
    response, body = post_stream(client, "/veo/text-to-video", data=data)

    assert response.status_code == 200
    assert sse_events(body)[-1][0] == "video_generation_complete"


def test_wire_variations_are_seeded_harmless_and_all_seen_over_a_few_requests(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(wire_variants=True, seed=7, latency=0.0)
    bodies = [post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)[1] for _ in range(16)]

    seen: set[str] = set()
    for body in bodies:
        events = sse_events(body)
        statuses = [data for name, data in events if name == "video_generation_status"]
        first = statuses[0]
        assert first in ("starting", '"starting"') or json.loads(first)["status"] == "starting"
        [item] = json.loads(events[-1][1])
        assert item["status"] == "completed"  # the word follows the endpoint, never the style
        seen.add("spaced" if body.startswith("event: ") else "bare-colon")
        seen.add("quoted" if first == '"starting"' else "object" if first.startswith("{") else "bare-word")
        seen.add(
            "+07:00"
            if item["created_at"].endswith("+07:00")
            else "Z"
            if item["created_at"].endswith("Z")
            else "?"
        )
    assert seen == {"spaced", "bare-colon", "quoted", "object", "bare-word", "+07:00", "Z"}


def test_the_same_seed_gives_the_same_variations(emulator: EmulatorHandle, client: httpx.Client) -> None:
    def run() -> list[str]:
        emulator.reset(wire_variants=True, seed=11, latency=0.0)
        bodies = [post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)[1] for _ in range(6)]
        # Ids and timestamps differ between runs; the spelling of each stream does not.
        return [body.split("data:[")[0].split("data: [")[0] for body in bodies]

    assert run() == run()


FRAMES = {
    "data": {"prompt": "zoom in", "aspect_ratio": LANDSCAPE, "number_of_videos": "1"},
    "files": {"start_image": png_upload()},
}
ENDPOINTS: list[tuple[str, dict[str, Any], str]] = [
    ("/veo/text-to-video", {"json": TEXT_TO_VIDEO}, "completed"),
    ("/veo/frames-to-video", FRAMES, "MEDIA_GENERATION_STATUS_SUCCESSFUL"),
    (
        "/veo/ingredients-to-video",
        {"data": {"prompt": "a product shot"}, "files": {"reference_images": png_upload()}},
        "MEDIA_GENERATION_STATUS_SUCCESSFUL",
    ),
    (
        "/veo/create-image",
        {"data": {"prompt": "a red fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_SQUARE"}},
        "completed",
    ),
]


def completion_items(body: str) -> list[dict[str, Any]]:
    data = json.loads(sse_events(body)[-1][1])
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize(("path", "kwargs", "word"), ENDPOINTS)
def test_each_endpoint_completes_with_its_own_status_word_in_the_stream_and_in_history(
    emulator: EmulatorHandle, client: httpx.Client, path: str, kwargs: dict[str, Any], word: str
) -> None:
    _, body = post_stream(client, path, **kwargs)

    [item] = completion_items(body)
    assert item["status"] == word
    [row] = client.get("/veo/histories").json()["data"]
    assert (row["id"], row["status"]) == (item["id"], word)


@pytest.mark.parametrize(("path", "kwargs", "word"), ENDPOINTS)
def test_the_status_word_does_not_vary_with_the_wire_style(
    emulator: EmulatorHandle, client: httpx.Client, path: str, kwargs: dict[str, Any], word: str
) -> None:
    emulator.reset(wire_variants=True, seed=3, latency=0.0)
    words = {completion_items(post_stream(client, path, **kwargs)[1])[0]["status"] for _ in range(8)}

    assert words == {word}
    assert {row["status"] for row in client.get("/veo/histories").json()["data"]} == {word}


def test_the_canonical_text_to_video_stream_is_byte_for_byte_the_observed_form(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    _, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    [item] = completion_items(body)
    assert body == (
        "event:video_generation_status\ndata:starting\n\n"
        "event:video_generation_status\ndata:processing\n\n"
        "event:video_generation_status\ndata:processing\n\n"
        "event:video_generation_complete\n"
        f'data:[{{"id":"{item["id"]}","prompt":"a cat in a garden",'
        f'"file_url":"{emulator.root_url}/files/{item["id"]}.mp4",'
        f'"status":"completed","created_at":"{item["created_at"]}"}}]\n\n'
    )
    assert item["created_at"].endswith("Z")


def test_the_canonical_frames_to_video_stream_says_successful_in_the_flow_spelling(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    _, body = post_stream(client, "/veo/frames-to-video", **FRAMES)

    [item] = completion_items(body)
    assert body == (
        "event:video_generation_status\ndata:starting\n\n"
        "event:video_generation_status\ndata:uploading_images\n\n"
        "event:video_generation_status\ndata:processing\n\n"
        "event:video_generation_status\ndata:processing\n\n"
        "event:video_generation_complete\n"
        f'data:[{{"id":"{item["id"]}","prompt":"zoom in",'
        f'"file_url":"{emulator.root_url}/files/{item["id"]}.mp4",'
        f'"status":"MEDIA_GENERATION_STATUS_SUCCESSFUL","created_at":"{item["created_at"]}"}}]\n\n'
    )
