"""Generations the service accepts and charges, then fails: ``generation_failed``, ``unsafe_generation``,
``audio_filtered``. The stream reports the failure with ``event:error``; history keeps it."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import (
    TEXT_TO_VIDEO,
    history,
    png_upload,
    post_stream,
    read_raw,
    sse_events,
    wait_until,
)

FAILURES = [
    (FaultKind.GENERATION_FAILED, {"code": 500, "error": "Create video error"}),
    (FaultKind.UNSAFE_GENERATION, {"code": 400, "error": "UNSAFE_GENERATION"}),
    (FaultKind.AUDIO_FILTERED, {"code": 400, "error": "AUDIO_FILTERED"}),
]


@pytest.mark.parametrize(("kind", "payload"), FAILURES)
def test_a_failed_generation_streams_its_statuses_then_the_error_event_and_closes_properly(
    emulator: EmulatorHandle, client: httpx.Client, kind: FaultKind, payload: dict[str, object]
) -> None:
    emulator.force_faults([kind])
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        received, error = read_raw(response)

    assert error is None
    body = received.decode()
    events = sse_events(body)
    assert events[0] == ("video_generation_status", "starting")
    assert [name for name, _ in events[:-1]] == ["video_generation_status"] * (len(events) - 1)
    assert {data for _, data in events[1:-1]} == {"processing"}
    assert events[-1][0] == "error"
    assert json.loads(events[-1][1]) == payload
    assert body.endswith(f"event:error\ndata:{json.dumps(payload, separators=(',', ':'))}\n\n")
    assert "video_generation_complete" not in body


@pytest.mark.parametrize(("kind", "payload"), FAILURES)
def test_a_failed_generation_is_charged_counted_and_failed_in_history_without_files(
    emulator: EmulatorHandle, client: httpx.Client, kind: FaultKind, payload: dict[str, object]
) -> None:
    emulator.force_faults([kind])
    post_stream(client, "/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2})

    rows = history(client)["data"]
    assert len(rows) == 2
    for row in rows:
        assert (row["status"], row["error"]) == ("failed", payload["error"])
        assert (row["file_urls"], row["file_url"]) == ([], None)
        assert httpx.get(f"{emulator.root_url}/files/{row['id']}.mp4").status_code == 404
    assert client.get("/veo/me").json()["used_quota"] == 2
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["completed"], stats["failed"]) == (1, 0, 0, 1)
    assert (stats["in_flight"], stats["faults"]) == (0, {kind.value: 1})
    assert stats["accepted_prompts"] == {TEXT_TO_VIDEO["prompt"]: 1}


def test_a_failed_generation_is_processing_in_history_until_it_fails(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(latency=2.0)
    emulator.force_faults([FaultKind.GENERATION_FAILED])
    started = time.monotonic()
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as response:
        lines = response.iter_lines()
        assert next(lines) == "event:video_generation_status"
        [row] = history(client)["data"]
        assert (row["status"], row["error"]) == ("processing", None)
        rest = "\n".join(lines)
    elapsed = time.monotonic() - started

    assert rest.rstrip("\n").endswith('event:error\ndata:{"code":500,"error":"Create video error"}')
    assert 0.9 <= elapsed < 2.0  # about half the latency
    [row] = history(client)["data"]
    assert (row["status"], row["error"]) == ("failed", "Create video error")


def test_a_generation_fails_in_history_even_when_its_client_left_early(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(latency=1.0)
    emulator.force_faults([FaultKind.UNSAFE_GENERATION])
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as response:
        assert next(response.iter_lines()) == "event:video_generation_status"
    # The client has gone; the generation still fails on its own.

    def failed_row() -> dict[str, object] | None:
        [row] = history(client)["data"]
        return dict(row) if row["status"] == "failed" else None

    row = wait_until(failed_row)
    assert row["error"] == "UNSAFE_GENERATION"
    stats = emulator.stats()
    assert (stats["failed"], stats["completed"], stats["in_flight"]) == (1, 0, 0)


def test_a_failed_image_streams_generating_then_the_error_event(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.AUDIO_FILTERED])
    data = {"prompt": "a red fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_SQUARE", "number_of_images": "3"}
    _, body = post_stream(client, "/veo/create-image", data=data)

    events = sse_events(body)
    assert events[0] == ("image_generation_status", "generating")
    assert events[-1] == ("error", '{"code":400,"error":"AUDIO_FILTERED"}')
    assert "image_generation_complete" not in body
    [row] = history(client)["data"]
    assert (row["status"], row["error"], row["file_urls"]) == ("failed", "AUDIO_FILTERED", [])
    assert httpx.get(f"{emulator.root_url}/files/{row['id']}-2.png").status_code == 404
    assert client.get("/veo/me").json()["used_quota"] == 3


def test_a_failed_frames_generation_reports_uploading_images_before_the_error(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.GENERATION_FAILED])
    data = {"prompt": "zoom in", "aspect_ratio": "VIDEO_ASPECT_RATIO_LANDSCAPE", "number_of_videos": "1"}
    _, body = post_stream(client, "/veo/frames-to-video", data=data, files={"start_image": png_upload()})

    events = sse_events(body)
    assert [data for _, data in events[:3]] == ["starting", "uploading_images", "processing"]
    assert events[-1] == ("error", '{"code":500,"error":"Create video error"}')


def test_a_failing_fault_is_served_only_once_then_generations_complete(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.GENERATION_FAILED])
    post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)
    _, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert sse_events(body)[-1][0] == "video_generation_complete"
    assert [row["status"] for row in history(client)["data"]] == ["completed", "failed"]
    stats = emulator.stats()
    assert (stats["accepted"], stats["completed"], stats["failed"]) == (2, 1, 1)
