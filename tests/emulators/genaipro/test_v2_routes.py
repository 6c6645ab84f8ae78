"""The v2 task API beside v1: 202 with task ids, tasks and histories to poll, credits, faults,
refunds, callbacks and one rate window over every v2 request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import AUTH, TEXT_TO_VIDEO, png_upload, wait_until

IMAGE_FORM = {"prompt": "a red fox", "aspect_ratio": "IMAGE_ASPECT_RATIO_LANDSCAPE", "number_of_images": "2"}


@pytest.fixture
def v2(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.root_url + "/api/v2", headers=AUTH, timeout=10.0) as http:
        yield http


def finished(v2: httpx.Client, task_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        task: dict[str, Any] = v2.get(f"/veo/tasks/{task_id}").json()
        return task if task["status"] in ("completed", "failed") else None

    result: dict[str, Any] = wait_until(done)
    return result


def test_text_to_video_answers_202_with_one_processing_task_per_video(
    emulator: EmulatorHandle, v2: httpx.Client
) -> None:
    response = v2.post("/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2})

    assert response.status_code == 202
    tasks = response.json()["histories"]
    assert [task["status"] for task in tasks] == ["processing", "processing"]
    done = finished(v2, tasks[0]["id"])
    assert done["status"] == "completed"
    assert httpx.get(done["file_urls"][0]).content[4:8] == b"ftyp"
    stats = emulator.stats()
    assert (stats["accepted"], stats["accepted_prompts"]) == (1, {TEXT_TO_VIDEO["prompt"]: 1})
    assert stats["quota"]["used"] == 2


def test_frames_ingredients_and_image_are_multipart_and_image_answers_one_task(v2: httpx.Client) -> None:
    form = {"prompt": "a fox", "aspect_ratio": "VIDEO_ASPECT_RATIO_PORTRAIT", "number_of_videos": "1"}
    frames = v2.post("/veo/frames-to-video", data=form, files={"start_image": png_upload()})
    ingredients = v2.post(
        "/veo/ingredients-to-video",
        data={"prompt": "a fox", "number_of_videos": "1"},
        files=[("reference_images", png_upload("a.png")), ("reference_images", png_upload("b.png"))],
    )
    image = v2.post("/veo/create-image", data=IMAGE_FORM)

    assert [r.status_code for r in (frames, ingredients, image)] == [202, 202, 202]
    assert "histories" in frames.json()
    assert "histories" in ingredients.json()
    task = image.json()
    assert task["status"] == "processing"
    assert "histories" not in task
    assert len(finished(v2, task["id"])["file_urls"]) == 2


def test_histories_and_credits_and_me_answer_on_v2(v2: httpx.Client) -> None:
    v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    page = v2.get("/veo/histories", params={"page": 1, "page_size": 10}).json()
    credits = v2.get("/veo/credits").json()
    me = v2.get("/me").json()

    assert page["total"] == 1
    assert page["data"][0]["status"] in ("processing", "completed")
    assert credits[0]["used"] == 1
    assert me["credits"] == credits[0]["quota"] - 1
    assert me["user"]["id"]


def test_an_unknown_task_is_404_and_a_missing_token_401(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    assert v2.get("/veo/tasks/nope").status_code == 404
    assert httpx.get(emulator.root_url + "/api/v2/veo/histories").status_code == 401


def test_a_failed_task_is_refunded(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    emulator.force_faults([FaultKind.GENERATION_FAILED])
    task_id = v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO).json()["histories"][0]["id"]

    task = finished(v2, task_id)

    assert (task["status"], task["error"], task["file_urls"]) == ("failed", "Create video error", [])
    stats = emulator.stats()
    assert (stats["failed"], stats["refunded"], stats["quota"]["used"]) == (1, 1, 0)


def test_a_dropped_submission_was_accepted_all_the_same(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    emulator.force_faults([FaultKind.DROP_AFTER_EVENTS])

    with pytest.raises(httpx.RemoteProtocolError):
        v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert emulator.stats()["accepted"] == 1
    assert v2.get("/veo/histories").json()["total"] == 1


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (FaultKind.SERVER_ERROR, 500),
        (FaultKind.EMPTY_STREAM, 500),
        (FaultKind.RECAPTCHA, 403),
        (FaultKind.MAINTENANCE_HTML, 503),
        (FaultKind.RATE_LIMIT_RETRY_AFTER, 429),
    ],
)
def test_refusing_faults_charge_nothing(
    emulator: EmulatorHandle, v2: httpx.Client, kind: FaultKind, status: int
) -> None:
    emulator.force_faults([kind])

    response = v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert response.status_code == status
    if kind is FaultKind.EMPTY_STREAM:
        assert response.content == b""
    stats = emulator.stats()
    assert (stats["accepted"], stats["refused"], stats["quota"]["used"]) == (0, 1, 0)


def test_a_dropped_poll_cuts_the_answer(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    emulator.force_faults([FaultKind.GET_DROPPED])

    with pytest.raises(httpx.RemoteProtocolError):
        v2.get("/veo/histories")

    assert v2.get("/veo/histories").status_code == 200
    assert emulator.stats()["read_faults"] == 1


def test_a_slow_task_takes_longer_than_a_plain_one(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    emulator.reset(latency=0.2, slow_task_factor=1000.0)
    emulator.force_faults([FaultKind.SLOW_TASK])
    slow = v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO).json()["histories"][0]["id"]
    plain = v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO).json()["histories"][0]["id"]

    finished(v2, plain)

    assert v2.get(f"/veo/tasks/{slow}").json()["status"] == "processing"


def test_one_window_counts_submissions_and_polls(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    emulator.reset(v2_rate_per_minute=3)
    v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO)
    v2.get("/veo/histories")
    v2.get("/veo/credits")

    refused = v2.get("/veo/histories")
    submission = v2.post("/veo/text-to-video", json=TEXT_TO_VIDEO)

    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert submission.status_code == 429
    stats = emulator.stats()
    assert (stats["v2_requests"], stats["v2_polls"], stats["v2_rate_limited"]) == (5, 2, 2)
    assert stats["accepted"] == 1


class _Recorder(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_a_callback_url_is_posted_the_finished_task(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook/abc"
        task_id = v2.post("/veo/text-to-video", json={**TEXT_TO_VIDEO, "callback_url": url}).json()[
            "histories"
        ][0]["id"]
        wait_until(lambda: emulator.stats()["callbacks_sent"] == 1 or None)
    finally:
        server.shutdown()
        server.server_close()

    assert [(body["id"], body["status"]) for body in _Recorder.bodies] == [(task_id, "completed")]


def test_a_callback_url_that_is_not_http_is_refused(emulator: EmulatorHandle, v2: httpx.Client) -> None:
    response = v2.post("/veo/text-to-video", json={**TEXT_TO_VIDEO, "callback_url": "file:///etc/passwd"})

    assert response.status_code == 400
    assert emulator.stats()["accepted"] == 0
