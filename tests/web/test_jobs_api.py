"""``/api/jobs``: create each mode, list, get, cancel, retry; run one to the end on the offline provider."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.models import Job
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.web.context import WebContext
from framecast.web.deps import SESSION_COOKIE
from framecast.web.security.sessions import create_web_session
from tests.web.conftest import Account
from tests.web.test_uploads import image_bytes


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Small, fast offline renders and a quick worker loop, set before the app is built."""
    monkeypatch.setenv("FRAMECAST_OFFLINE__SECONDS", "1")
    monkeypatch.setenv("FRAMECAST_OFFLINE__SHORT_SIDE", "144")
    monkeypatch.setenv("FRAMECAST_JOBS__POLL_S", "0.05")
    get_settings.cache_clear()
    return get_settings()


def create(client: TestClient, account: Account, files: Any = None, **fields: Any) -> Any:
    data = {"prompt": "A heron, at dawn!", **{k: str(v) for k, v in fields.items()}}
    return client.post("/api/jobs", data=data, files=files, headers=account.headers)


def stored(web: WebContext, job_id: int) -> Job:
    with web.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def set_state(web: WebContext, job_id: int, state: JobState, **values: Any) -> None:
    with web.db.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(state=state.value, **values))


def run_worker(web: WebContext, settings: Settings, job_ids: list[int]) -> None:
    async def main() -> None:
        worker = Worker(web.db, settings, providers=["offline"], job_ids=job_ids)
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())


# -- create ------------------------------------------------------------------------------------------


def test_creating_a_job_needs_a_login(client: TestClient) -> None:
    response = client.post("/api/jobs", data={"mode": "text", "prompt": "x"})

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_a_text_job_is_queued_with_its_request_stored(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = create(client, alice, mode="text", aspect="portrait")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "queued"
    assert (body["mode"], body["prompt"], body["aspect"], body["count"]) == (
        "text",
        "A heron, at dawn!",
        "portrait",
        1,
    )
    assert body["provider"] == "offline"
    assert body["files"] == []
    assert body["error"] is None
    assert body["progress"] == {"status": None, "percent": None}
    assert body["batch_id"] is None
    assert body["finished_at"] is None
    job = stored(web, body["id"])
    assert job.owner_id == alice.user_id
    out_dir = Path(job.request["out_dir"])
    assert out_dir.parent == web.media_root / str(alice.user_id) / "jobs"
    assert job.request["stems"] == ["a-heron-at-dawn"]
    assert job.request["start_image"] is None
    assert job.request["reference_images"] == []
    assert job.max_attempts == web.settings.jobs.max_attempts


def test_a_frames_job_keeps_its_start_and_end_frames(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = create(
        client,
        alice,
        files=[
            ("start_image", ("start.png", image_bytes("PNG"), "image/png")),
            ("end_image", ("end.jpg", image_bytes("JPEG"), "image/jpeg")),
        ],
        mode="frames",
    )

    assert response.status_code == 201, response.text
    request = stored(web, response.json()["id"]).request
    start, end = Path(request["start_image"]), Path(request["end_image"])
    assert start.is_file()
    assert start.suffix == ".png"
    assert end.is_file()
    assert end.suffix == ".jpg"
    assert start.parent == end.parent == web.upload_root / str(alice.user_id)


def test_an_ingredients_job_keeps_every_reference(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    refs = [
        ("reference_images", (f"r{n}.png", image_bytes("PNG", color=(n, n, n)), "image/png"))
        for n in range(3)
    ]

    response = create(client, alice, files=refs, mode="ingredients", count=2)

    assert response.status_code == 201, response.text
    request = stored(web, response.json()["id"]).request
    assert [Path(p).read_bytes() for p in request["reference_images"]] == [
        image_bytes("PNG", color=(n, n, n)) for n in range(3)
    ]
    assert request["stems"] == ["a-heron-at-dawn_1", "a-heron-at-dawn_2"]


def test_an_image_job_may_be_square_and_have_references(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = create(
        client,
        alice,
        files=[("reference_images", ("r.webp", image_bytes("WEBP"), "image/webp"))],
        mode="image",
        aspect="1:1",
        count=4,
    )

    assert response.status_code == 201, response.text
    job = stored(web, response.json()["id"])
    assert (job.mode, job.request["aspect"], job.request["count"]) == ("image", "square", 4)
    assert len(job.request["reference_images"]) == 1


def test_the_provider_defaults_to_the_users_preference(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    with web.db.session() as session:
        session.execute(
            update(User).where(User.id == alice.user_id).values(preferences={"default_provider": "genaipro"})
        )

    chosen = create(client, alice, mode="text").json()
    explicit = create(client, alice, mode="text", provider="offline").json()

    assert (chosen["provider"], explicit["provider"]) == ("genaipro", "offline")


def test_the_aspect_defaults_to_the_users_preference(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    plain = create(client, alice, mode="text").json()
    with web.db.session() as session:
        session.execute(
            update(User).where(User.id == alice.user_id).values(preferences={"aspect": "portrait"})
        )

    preferred = create(client, alice, mode="image").json()

    assert (plain["aspect"], preferred["aspect"]) == ("landscape", "portrait")


def test_a_preferred_provider_that_no_longer_exists_falls_back_on_the_servers(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    with web.db.session() as session:
        session.execute(
            update(User).where(User.id == alice.user_id).values(preferences={"default_provider": "gone"})
        )

    response = create(client, alice, mode="text")

    assert response.json()["provider"] == web.settings.default_provider


@pytest.mark.parametrize(
    ("fields", "files", "message"),
    [
        ({"mode": "poem"}, None, "Mode: unknown mode 'poem'; use one of text, frames, ingredients, image"),
        ({"mode": "text", "prompt": "   "}, None, "Prompt: the prompt is empty"),
        ({"mode": "text", "count": 5}, None, "Videos: must be between 1 and 4, got 5"),
        (
            {"mode": "text", "aspect": "square"},
            None,
            "Aspect: video can be landscape or portrait, not square",
        ),
        ({"mode": "text", "aspect": "wide"}, None, "Aspect: unknown aspect ratio 'wide'"),
        ({"mode": "text", "provider": "nope"}, None, "Provider: unknown provider 'nope'"),
        ({"mode": "frames"}, None, "Start frame: frames → video needs a start frame"),
        ({"mode": "ingredients"}, None, "Reference images: give 1 to 3 reference images"),
        (
            {"mode": "text"},
            [("start_image", ("s.png", image_bytes("PNG"), "image/png"))],
            "Start frame: text → video takes no start frame",
        ),
        (
            {"mode": "ingredients"},
            [("reference_images", (f"{n}.png", image_bytes("PNG"), "image/png")) for n in range(4)],
            "Reference images: at most 3 reference images, got 4",
        ),
    ],
)
def test_a_bad_form_is_refused_naming_the_field(
    client: TestClient, web: WebContext, alice: Account, fields: dict[str, Any], files: Any, message: str
) -> None:
    response = create(client, alice, files=files, **fields)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(message)
    assert create_count(web) == 0


def create_count(web: WebContext) -> int:
    with web.db.session() as session:
        return len(session.query(Job.id).all())


def test_an_empty_file_input_counts_as_no_file(client: TestClient, alice: Account) -> None:
    response = create(
        client, alice, files=[("end_image", ("", b"", "application/octet-stream"))], mode="text"
    )

    assert response.status_code == 201, response.text


def test_a_browser_session_creates_a_job_with_its_csrf_token(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    cookie, csrf = create_web_session(web.db, alice.user_id, days=1)
    client.cookies.set(SESSION_COOKIE, cookie)
    form = {"mode": "text", "prompt": "from the page"}

    missing = client.post("/api/jobs", data=form)
    by_header = client.post("/api/jobs", data=form, headers={"X-CSRF-Token": csrf})
    by_field = client.post(
        "/api/jobs",
        data={**form, "csrf_token": csrf},
        files=[("start_image", ("", b"", "application/octet-stream"))],
    )

    assert missing.status_code == 403
    assert (by_header.status_code, by_field.status_code) == (201, 201)
    assert by_field.json()["prompt"] == "from the page"


# -- list and get ------------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_a_total_and_filters(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    ids = [create(client, alice, mode="text", prompt=f"clip {n}").json()["id"] for n in range(4)]
    set_state(web, ids[1], JobState.FAILED)

    everything = client.get("/api/jobs", headers=alice.headers).json()
    page = client.get("/api/jobs", params={"limit": 2, "offset": 1}, headers=alice.headers).json()
    failed = client.get("/api/jobs", params={"state": "failed"}, headers=alice.headers).json()
    several = client.get("/api/jobs", params={"state": "failed,queued"}, headers=alice.headers).json()

    assert [j["id"] for j in everything["items"]] == ids[::-1]
    assert everything["total"] == 4
    assert ([j["id"] for j in page["items"]], page["total"]) == ([ids[2], ids[1]], 4)
    assert ([j["id"] for j in failed["items"]], failed["total"]) == ([ids[1]], 1)
    assert several["total"] == 4


def test_an_unknown_state_filter_is_refused(client: TestClient, alice: Account) -> None:
    response = client.get("/api/jobs", params={"state": "lost"}, headers=alice.headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("State: unknown state 'lost'")


def test_listing_needs_a_login(client: TestClient) -> None:
    assert client.get("/api/jobs").status_code == 401
    assert client.get("/api/jobs/1").status_code == 401
    assert client.post("/api/jobs/1/cancel").status_code == 401
    assert client.post("/api/jobs/1/retry").status_code == 401


def test_get_answers_the_job(client: TestClient, alice: Account) -> None:
    created = create(client, alice, mode="text").json()

    response = client.get(f"/api/jobs/{created['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == created


def test_a_missing_job_is_404(client: TestClient, alice: Account) -> None:
    response = client.get("/api/jobs/999", headers=alice.headers)

    assert response.status_code == 404
    assert response.json()["error"] == {"type": "not_found", "message": "no job 999", "details": {}}


# -- cancel and retry --------------------------------------------------------------------------------


def test_a_queued_job_is_cancelled_then_retried(client: TestClient, alice: Account) -> None:
    job_id = create(client, alice, mode="text").json()["id"]

    cancelled = client.post(f"/api/jobs/{job_id}/cancel", headers=alice.headers)
    retried = client.post(f"/api/jobs/{job_id}/retry", headers=alice.headers)

    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["finished_at"] is not None
    assert retried.status_code == 200
    assert retried.json()["state"] == "queued"


def test_a_job_already_sent_to_a_paid_provider_is_not_cancelled_and_the_answer_says_why(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    job_id = create(client, alice, mode="text", provider="genaipro").json()["id"]
    set_state(web, job_id, JobState.RUNNING, lease_owner="w", submitted_at=utcnow())

    listed = client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()
    response = client.post(f"/api/jobs/{job_id}/cancel", headers=alice.headers)

    assert listed["sent"] is True
    assert response.status_code == 409
    assert response.json()["error"] == {
        "type": "conflict",
        "message": f"Job {job_id} was already sent to GenAIPro · Veo, so it cannot be cancelled: it will "
        "finish and be charged, and its result will be kept.",
        "details": {},
    }
    job = stored(web, job_id)
    assert (job.state, job.lease_owner, job.cancel_requested) == ("running", "w", False)


def test_a_job_held_by_a_worker_but_not_yet_sent_is_cancelled_at_once(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    job_id = create(client, alice, mode="text", provider="genaipro").json()["id"]
    set_state(web, job_id, JobState.RUNNING, lease_owner="w")

    response = client.post(f"/api/jobs/{job_id}/cancel", headers=alice.headers)

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["sent"], response.json()["charged"]) == (
        "cancelled",
        False,
        False,
    )
    assert stored(web, job_id).lease_owner is None


def test_a_job_shows_whether_it_was_charged_and_when_it_started(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    job_id = create(client, alice, mode="text", provider="genaipro").json()["id"]
    started = utcnow()
    set_state(
        web,
        job_id,
        JobState.FAILED,
        started_at=started,
        charged=True,
        charges=1,
        error_category="server",
        error_message="Create video error",
    )

    body = client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()

    assert (body["charged"], body["charges"], body["sent"]) == (True, 1, False)
    assert body["started_at"] == started.isoformat()


def test_retrying_a_queued_job_is_a_conflict(client: TestClient, alice: Account) -> None:
    job_id = create(client, alice, mode="text").json()["id"]

    response = client.post(f"/api/jobs/{job_id}/retry", headers=alice.headers)

    assert response.status_code == 409
    assert "only failed or cancelled jobs can be retried" in response.json()["error"]["message"]


def test_a_failed_job_shows_its_error(client: TestClient, web: WebContext, alice: Account) -> None:
    job_id = create(client, alice, mode="text").json()["id"]
    set_state(web, job_id, JobState.FAILED, error_category="quota", error_message="no credits left")

    body = client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()

    assert body["error"] == {"category": "quota", "message": "no credits left"}


# -- isolation ---------------------------------------------------------------------------------------


def test_bob_sees_none_of_alices_jobs(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    job_id = create(client, alice, mode="text").json()["id"]
    set_state(web, job_id, JobState.FAILED)

    listed = client.get("/api/jobs", headers=bob.headers).json()
    answers = [
        client.get(f"/api/jobs/{job_id}", headers=bob.headers),
        client.post(f"/api/jobs/{job_id}/cancel", headers=bob.headers),
        client.post(f"/api/jobs/{job_id}/retry", headers=bob.headers),
    ]

    assert listed == {"items": [], "total": 0}
    assert [r.status_code for r in answers] == [404, 404, 404]
    assert {r.json()["error"]["message"] for r in answers} == {f"no job {job_id}"}
    assert stored(web, job_id).state == JobState.FAILED.value


# -- to the end ----------------------------------------------------------------------------------------


def test_a_text_job_runs_to_the_end_and_its_video_is_served(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    job_id = create(client, alice, mode="text", count=2).json()["id"]

    run_worker(web, settings, [job_id])
    body = client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()

    assert body["state"] == "succeeded", body
    assert body["progress"] == {"status": "done", "percent": 100}
    assert body["finished_at"] is not None
    assert [(f["name"], f["kind"]) for f in body["files"]] == [
        ("a-heron-at-dawn_1.mp4", "video"),
        ("a-heron-at-dawn_2.mp4", "video"),
    ]
    first = body["files"][0]
    assert first["url"] == f"/files/{first['id']}/content"
    assert body["charged"] is False  # the offline renderer is free
    poster = client.get(first["poster_url"], headers=alice.headers)
    assert poster.status_code == 200
    assert poster.content[:3] == b"\xff\xd8\xff"  # a JPEG still of the video
    whole = client.get(first["url"], headers=alice.headers)
    part = client.get(first["url"], headers={**alice.headers, "Range": "bytes=0-99"})
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.content[4:8] == b"ftyp"
    assert part.status_code == 206
    assert part.content == whole.content[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"


def test_a_frames_job_runs_to_the_end_from_its_uploaded_frame(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    response = create(
        client,
        alice,
        files=[("start_image", ("start.png", image_bytes("PNG", size=(256, 144)), "image/png"))],
        mode="frames",
    )
    job_id = response.json()["id"]

    run_worker(web, settings, [job_id])
    body = client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()

    assert body["state"] == "succeeded", body
    assert len(body["files"]) == 1
    video = client.get(body["files"][0]["url"], headers=alice.headers)
    assert video.content[4:8] == b"ftyp"
