"""Who gets in: authentication, validation, rate and concurrency limits, quota — in that order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import LANDSCAPE, TEXT_TO_VIDEO, png_upload, post_stream


def test_a_missing_or_empty_bearer_token_is_401(emulator: EmulatorHandle) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
        response = httpx.post(emulator.base_url + "/veo/text-to-video", json=TEXT_TO_VIDEO, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized"}
    assert httpx.get(emulator.base_url + "/veo/me").status_code == 401
    assert httpx.get(emulator.base_url + "/veo/histories").status_code == 401
    stats = emulator.stats()
    assert (stats["requests"], stats["rejected"], stats["accepted"]) == (3, 3, 0)


def test_with_an_api_key_set_only_that_token_is_accepted(emulator: EmulatorHandle) -> None:
    emulator.reset(api_key="eyJ.the.key")
    me = emulator.base_url + "/veo/me"

    assert httpx.get(me, headers={"Authorization": "Bearer eyJ.other.key"}).status_code == 401
    assert httpx.get(me, headers={"Authorization": "Bearer eyJ.the.key"}).status_code == 200
    assert httpx.get(me, headers={"Authorization": "bearer eyJ.the.key"}).status_code == 200


def test_authentication_is_checked_before_faults(emulator: EmulatorHandle) -> None:
    emulator.force_faults([FaultKind.SERVER_ERROR])
    response = httpx.post(emulator.base_url + "/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 401
    assert httpx.get(emulator.admin_url + "/faults").json()["next"] == ["server_error"]


BAD_REQUESTS: list[tuple[str, dict[str, Any], str]] = [
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "prompt": "  "}}, "Prompt is required"),
    ("/veo/text-to-video", {"json": {"aspect_ratio": LANDSCAPE}}, "Prompt is required"),
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "aspect_ratio": None}}, "Aspect ratio is required"),
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "aspect_ratio": "16:9"}}, "Invalid aspect_ratio"),
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "number_of_videos": 5}}, "between 1 and 4"),
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "number_of_videos": 0}}, "between 1 and 4"),
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "number_of_videos": "two"}}, "between 1 and 4"),
    ("/veo/text-to-video", {"json": {**TEXT_TO_VIDEO, "number_of_videos": True}}, "between 1 and 4"),
    (
        "/veo/text-to-video",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        "JSON",
    ),
    ("/veo/text-to-video", {"json": ["a list"]}, "JSON"),
    (
        "/veo/frames-to-video",
        {"data": {"prompt": "p", "aspect_ratio": LANDSCAPE}, "files": {"start_frame": png_upload()}},
        "Start image is required",
    ),
    (
        "/veo/frames-to-video",
        {"data": {"prompt": "p", "aspect_ratio": LANDSCAPE, "start_image": "not a file"}},
        "Start image is required",
    ),
    (
        "/veo/frames-to-video",
        {"data": {"prompt": "p", "aspect_ratio": LANDSCAPE},
         "files": {"start_image": ("a.png", b"", "image/png")}},
        "Start image is required",
    ),
    ("/veo/frames-to-video", {"json": {"prompt": "p"}}, "Start image is required"),
    (
        "/veo/frames-to-video",
        {"data": {"prompt": "p", "number_of_videos": "5", "aspect_ratio": LANDSCAPE},
         "files": {"start_image": png_upload()}},
        "number_of_videos must be between 1 and 4",
    ),
    ("/veo/ingredients-to-video", {"data": {"prompt": "p"}}, "Reference images are required"),
    (
        "/veo/ingredients-to-video",
        {"data": {"prompt": "p"}, "files": [("reference_images", png_upload()) for _ in range(4)]},
        "At most 3 reference images",
    ),
    (
        "/veo/create-image",
        {"json": {"prompt": "a fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_SQUARE"}},
        "Prompt is required",
    ),
    (
        "/veo/create-image",
        {"data": {"prompt": "a fox", "aspect_ratio": "VIDEO_ASPECT_RATIO_LANDSCAPE"}},
        "Invalid aspect_ratio",
    ),
    ("/veo/create-image", {"data": {"prompt": "a fox", "number_of_images": "9"}}, "number_of_images must be"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "request_kwargs", "message"), BAD_REQUESTS)
def test_invalid_generation_requests_are_400_with_an_error_message(
    emulator: EmulatorHandle, client: httpx.Client, path: str, request_kwargs: dict[str, Any], message: str
) -> None:
    response = client.post(path, **request_kwargs)

    assert response.status_code == 400
    assert message in response.json()["error"]
    stats = emulator.stats()
    assert (stats["rejected"], stats["accepted"], stats["quota"]["used"]) == (1, 0, 0)


def test_validation_is_checked_before_faults(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.force_faults([FaultKind.SERVER_ERROR])

    assert client.post("/veo/text-to-video", json={"prompt": ""}).status_code == 400
    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 500


def test_the_rate_limit_refuses_with_retry_after_until_a_slot_frees(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(rate_per_minute=2, latency=0.0)
    for _ in range(2):
        assert post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)[0].status_code == 200

    response = client.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 429
    assert response.json() == {"error": "Too many requests", "code": 429}
    assert 1 <= int(response.headers["retry-after"]) <= 60
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["faults"]) == (2, 1, {})


def test_the_concurrency_limit_refuses_with_retry_after_one_while_generations_are_in_flight(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(concurrency=1, latency=30.0)
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as first:
        assert first.status_code == 200
        response = client.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["in_flight"]) == (1, 1, 1)


def test_the_quota_is_charged_per_video_and_refuses_with_402_when_short(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(quota=3)
    assert (
        post_stream(client, "/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2})[
            0
        ].status_code
        == 200
    )

    assert client.get("/veo/me").json() == {"total_quota": 3, "used_quota": 2, "available_quota": 1}
    [credit] = client.get("/veo/credits").json()
    assert (credit["quota"], credit["used"]) == (3, 2)
    assert isinstance(credit["expires_at"], str)
    refused = client.post("/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2})
    assert refused.status_code == 402
    assert refused.json() == {"error": "Insufficient credits"}
    assert post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)[0].status_code == 200
    assert client.get("/veo/me").json()["available_quota"] == 0
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["quota"]) == (
        2,
        1,
        {"total": 3, "used": 3, "available": 0},
    )


def test_refused_faults_cost_nothing_even_with_no_quota_left(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(quota=0)
    emulator.force_faults([FaultKind.RATE_LIMIT_RETRY_AFTER])

    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 429
    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 402


def test_an_unlimited_account_reports_a_large_quota(client: httpx.Client) -> None:
    me = client.get("/veo/me").json()

    assert me["used_quota"] == 0
    assert me["available_quota"] == me["total_quota"] >= 1000


def test_reset_goes_back_to_the_starting_settings(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.reset(quota=1)
    emulator.reset()

    assert emulator.stats()["quota"]["total"] is None


def test_reset_refuses_unknown_settings_and_wrong_types(emulator: EmulatorHandle) -> None:
    for body in ({"latncy": 1}, {"quota": "ten"}, {"fault_rate": 2}):
        response = httpx.post(emulator.admin_url + "/reset", json=body)
        assert response.status_code == 400
        assert response.json()["error"]
