"""Every fault kind, forced through ``/_emulator/faults``: what the wire shows and what was charged."""

from __future__ import annotations

import json

import httpx
import pytest

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import (
    TEXT_TO_VIDEO,
    history,
    only_item_id,
    post_stream,
    read_raw,
    sse_events,
    wait_for_completed,
)

IMAGE_FORM = {"prompt": "a red fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_LANDSCAPE", "number_of_images": "1"}


def assert_refused(emulator: EmulatorHandle, client: httpx.Client, kind: FaultKind) -> None:
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["faults"]) == (0, 1, {kind.value: 1})
    assert history(client)["total"] == 0
    assert client.get("/veo/me").json()["used_quota"] == 0


def assert_accepted(emulator: EmulatorHandle, kind: FaultKind) -> None:
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["faults"]) == (1, 0, {kind.value: 1})


@pytest.mark.parametrize(
    ("kind", "status", "retry_after", "body"),
    [
        (FaultKind.RATE_LIMIT_RETRY_AFTER, 429, "1", {"error": "Too many requests", "code": 429}),
        (FaultKind.RATE_LIMIT_NO_HEADER, 429, None, {"error": "Too many requests", "code": 429}),
        (FaultKind.SERVER_ERROR, 500, None, {"error": "Internal server error", "code": 500}),
    ],
)
def test_json_refusals_answer_with_their_status_and_charge_nothing(
    emulator: EmulatorHandle,
    client: httpx.Client,
    kind: FaultKind,
    status: int,
    retry_after: str | None,
    body: dict[str, object],
) -> None:
    emulator.force_faults([kind])
    response = client.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == status
    assert response.headers.get("retry-after") == retry_after
    assert response.json() == body
    assert_refused(emulator, client, kind)


def test_maintenance_answers_503_with_an_html_page(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.force_faults([FaultKind.MAINTENANCE_HTML])
    response = client.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    assert "under maintenance" in response.text
    assert_refused(emulator, client, FaultKind.MAINTENANCE_HTML)


def test_an_empty_stream_is_a_200_event_stream_with_no_events(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.EMPTY_STREAM])
    response, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert body == ""
    assert_refused(emulator, client, FaultKind.EMPTY_STREAM)


def test_recaptcha_sends_starting_then_a_403_error_event(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.RECAPTCHA])
    response, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 200
    assert body == (
        "event:video_generation_status\ndata:starting\n\n"
        'event:error\ndata:{"code":403,"error":"Failed to pass reCAPTCHA evaluation, please try again"}\n\n'
    )
    assert_refused(emulator, client, FaultKind.RECAPTCHA)


def test_a_dropped_stream_ends_without_a_terminal_event_and_still_completes_in_history(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.DROP_AFTER_EVENTS])
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as response:
        assert response.status_code == 200
        received, error = read_raw(response)

    assert isinstance(error, httpx.RemoteProtocolError)
    events = sse_events(received.decode())
    assert 1 <= len(events) <= 2
    assert all(name == "video_generation_status" for name, _ in events)
    assert_accepted(emulator, FaultKind.DROP_AFTER_EVENTS)
    item = wait_for_completed(client, only_item_id(client))
    assert item["file_urls"]


def test_a_stalled_stream_sends_nothing_and_its_generation_completes_in_history(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.STALL])
    with client.stream(
        "POST", "/veo/text-to-video", json=TEXT_TO_VIDEO, timeout=httpx.Timeout(10.0, read=0.2)
    ) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            response.read()

    assert_accepted(emulator, FaultKind.STALL)
    wait_for_completed(client, only_item_id(client))


def test_a_stalled_stream_closes_cleanly_after_the_stall_limit(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(stall_limit=0.3)
    emulator.force_faults([FaultKind.STALL])
    response, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert (response.status_code, body) == (200, "")


def test_a_malformed_event_and_a_line_without_a_colon_come_before_a_normal_completion(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.MALFORMED_EVENT])
    _, body = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert 'data:{"status": "proc\n\n' in body
    assert "\nthis line has no colon\n" in body
    broken_at = body.index('{"status": "proc')
    assert body.index("data:starting") < broken_at < body.index("event:video_generation_complete")
    [item] = json.loads(sse_events(body)[-1][1])
    assert item["status"] == "completed"
    assert_accepted(emulator, FaultKind.MALFORMED_EVENT)


def test_a_completion_without_status_lacks_only_the_status(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.COMPLETION_WITHOUT_STATUS, FaultKind.COMPLETION_WITHOUT_STATUS])
    _, video = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)
    _, image = post_stream(client, "/veo/create-image", data=IMAGE_FORM)

    [item] = json.loads(sse_events(video)[-1][1])
    assert sorted(item) == ["created_at", "file_url", "id", "prompt"]
    assert sorted(json.loads(sse_events(image)[-1][1])) == ["created_at", "file_urls", "id", "prompt"]
    assert emulator.stats()["faults"] == {"completion_without_status": 2}


def test_a_completion_without_file_url_lacks_the_urls_that_history_has(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.COMPLETION_WITHOUT_FILE_URL, FaultKind.COMPLETION_WITHOUT_FILE_URL])
    _, video = post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)
    _, image = post_stream(client, "/veo/create-image", data=IMAGE_FORM)

    [video_item] = json.loads(sse_events(video)[-1][1])
    image_item = json.loads(sse_events(image)[-1][1])
    assert sorted(video_item) == ["created_at", "id", "prompt", "status"]
    assert sorted(image_item) == ["created_at", "id", "prompt", "status"]
    rows = {row["id"]: row for row in history(client)["data"]}
    assert rows[video_item["id"]]["file_url"].endswith(f"/files/{video_item['id']}.mp4")
    assert rows[image_item["id"]]["file_urls"][0].endswith(f"/files/{image_item['id']}.png")
    assert emulator.stats()["accepted"] == 2


def test_forced_faults_are_served_in_order_then_requests_are_normal(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    state = emulator.force_faults([FaultKind.SERVER_ERROR, FaultKind.MAINTENANCE_HTML])
    assert state["next"] == ["server_error", "maintenance_html"]

    statuses = [client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code for _ in range(3)]

    assert statuses == [500, 503, 200]
    assert client.get(emulator.admin_url + "/faults").json()["next"] == []


def test_a_fault_rate_of_one_gives_every_request_a_fault(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(latency=0.0)
    assert emulator.set_faults(fault_rate=1.0, seed=3)["fault_rate"] == 1.0
    for _ in range(12):
        with client.stream(
            "POST", "/veo/text-to-video", json=TEXT_TO_VIDEO, timeout=httpx.Timeout(10.0, read=0.2)
        ) as response:
            read_raw(response)  # drop_after_events and stall end early; that is expected here

    stats = emulator.stats()
    assert sum(stats["faults"].values()) == 12
    assert len(stats["faults"]) > 1
    accepted_kinds = sum(n for kind, n in stats["faults"].items() if FaultKind(kind).accepted)
    assert stats["accepted"] == accepted_kinds
    assert stats["refused"] == 12 - accepted_kinds


def test_the_fault_sequence_is_a_function_of_the_seed(emulator: EmulatorHandle, client: httpx.Client) -> None:
    def faults_seen() -> dict[str, int]:
        emulator.reset(fault_rate=0.5, seed=42, latency=0.0)
        for _ in range(10):
            with client.stream(
                "POST", "/veo/text-to-video", json=TEXT_TO_VIDEO, timeout=httpx.Timeout(10.0, read=0.2)
            ) as response:
                read_raw(response)
        faults: dict[str, int] = emulator.stats()["faults"]
        return faults

    first = faults_seen()
    assert first  # seed 42 at rate 0.5 does inject faults in ten requests
    assert faults_seen() == first


def test_an_unknown_fault_kind_is_refused_with_the_known_kinds(emulator: EmulatorHandle) -> None:
    response = httpx.post(emulator.admin_url + "/faults", json={"next": ["gremlins"]})

    assert response.status_code == 400
    assert "gremlins" in response.json()["error"]
    assert "drop_after_events" in response.json()["error"]


def test_the_faults_route_lists_every_kind_with_whether_it_is_accepted_and_its_target(
    emulator: EmulatorHandle,
) -> None:
    faults = httpx.get(emulator.admin_url + "/faults").json()
    kinds = faults["kinds"]

    assert faults["fault_kinds"] is None
    assert kinds == {
        kind.value: {
            "accepted": kind.accepted,
            "target": kind.target.value,
            "apis": [api for api in (1, 2) if kind.applies_to(api)],
        }
        for kind in FaultKind
    }
    assert sorted(kind for kind, about in kinds.items() if about["accepted"]) == [
        "audio_filtered",
        "completion_without_file_url",
        "completion_without_status",
        "drop_after_events",
        "generation_failed",
        "malformed_event",
        "slow_task",
        "stall",
        "unsafe_generation",
    ]
    assert sorted(kind for kind, about in kinds.items() if about["target"] == "read") == [
        "get_dropped",
        "get_maintenance_html",
        "get_rate_limit",
        "get_server_error",
    ]
    assert sorted(kind for kind, about in kinds.items() if about["apis"] == [2]) == [
        "get_dropped",
        "slow_task",
    ]
