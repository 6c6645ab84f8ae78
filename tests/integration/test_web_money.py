"""Cancel and ``failed.csv`` tell the truth about money: the real web application, a real worker and
the emulator, with generations slow enough to be caught while they run."""

from __future__ import annotations

import asyncio
import csv
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from framecast.emulators.genaipro.testing import EmulatorHandle
from framecast.jobs.worker import Worker
from framecast.web.app import create_app
from framecast.web.context import WebContext
from tests.web.conftest import Account, make_account

pytestmark = pytest.mark.timeout(180)
WAIT_S = 90.0


@contextmanager
def background_worker(web: WebContext, settings: Settings, concurrency: int) -> Iterator[None]:
    """A worker on the app's database in a thread of its own, stopped (and joined) on leaving."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def work() -> None:
        worker = Worker(web.db, settings, providers=["genaipro"], concurrency=concurrency)
        try:
            await worker.run(stop=stop)
        finally:
            await worker.aclose()

    thread = threading.Thread(target=lambda: loop.run_until_complete(work()), daemon=True)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)
        loop.close()


def wait_for(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def studio(use_emulator: EmulatorHandle) -> Iterator[tuple[TestClient, WebContext, Account]]:
    use_emulator.reset(latency=4.0)
    get_settings.cache_clear()
    app = create_app(get_settings(), embedded_worker=False)
    web: WebContext = app.state.web
    with TestClient(app) as client:
        yield client, web, make_account(web, "alice@example.com", name="Alice")


def test_cancel_answers_409_for_a_sent_job_which_still_succeeds_and_200_for_a_queued_one(
    studio: tuple[TestClient, WebContext, Account],
) -> None:
    client, web, alice = studio
    form = {"mode": "text", "provider": "genaipro", "aspect": "landscape", "count": "1"}
    first = client.post("/api/jobs", data={**form, "prompt": "a heron, sent"}, headers=alice.headers).json()
    second = client.post(
        "/api/jobs", data={**form, "prompt": "a heron, queued"}, headers=alice.headers
    ).json()
    get = lambda job_id: client.get(f"/api/jobs/{job_id}", headers=alice.headers).json()  # noqa: E731
    with background_worker(web, get_settings(), concurrency=1):
        wait_for(lambda: get(first["id"])["sent"], "the first job to be sent")
        refused = client.post(f"/api/jobs/{first['id']}/cancel", headers=alice.headers)
        assert refused.status_code == 409
        message = refused.json()["error"]["message"]
        assert f"Job {first['id']} was already sent to GenAIPro · Veo" in message
        assert "will finish and be charged" in message
        assert "result will be kept" in message
        assert get(second["id"])["state"] == "queued"
        cancelled = client.post(f"/api/jobs/{second['id']}/cancel", headers=alice.headers)
        assert cancelled.status_code == 200
        assert cancelled.json()["state"] == "cancelled"
        done = wait_for(
            lambda: (job := get(first["id"]))["state"] in ("succeeded", "failed") and job, "the first job"
        )
    assert done["state"] == "succeeded", done["error"]
    assert done["charged"] is True
    assert len(done["files"]) == 1
    assert get(second["id"])["state"] == "cancelled"
    assert get(second["id"])["charged"] is False
    video = client.get(done["files"][0]["url"], headers=alice.headers)
    assert video.status_code == 200
    assert video.content[4:8] == b"ftyp"


def test_failed_csv_of_a_running_batch_holds_only_the_item_that_was_cancelled(
    studio: tuple[TestClient, WebContext, Account], use_emulator: EmulatorHandle
) -> None:
    from tests.web.test_batches_api import image

    client, web, alice = studio
    text = "one\nA heron, one\n\ntwo\nA heron, two\n\nthree\nA heron, three\n\nfour\nA heron, four\n"
    preview = client.post(
        "/api/batches/preview",
        data={"kind": "aroll", "provider": "genaipro"},
        files=[("file", ("shots.txt", text.encode())), ("frame", ("frame.png", image()))],
        headers=alice.headers,
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["credits_needed"] == 4
    batch = client.post(
        "/api/batches", json={"upload_id": preview.json()["upload_id"]}, headers=alice.headers
    ).json()
    url = f"/api/batches/{batch['id']}"

    def items() -> dict[str, dict[str, Any]]:
        return {item["key"]: item for item in client.get(url, headers=alice.headers).json()["items"]}

    with background_worker(web, get_settings(), concurrency=3):
        wait_for(lambda: sum(item["sent"] for item in items().values()) == 3, "three items sent")
        waiting = next(key for key, item in items().items() if not item["sent"])
        cancelled = client.post(f"{url}/items/{waiting}/cancel", headers=alice.headers)
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["cancel"]["cancelled"] == 1
        running = [key for key, item in items().items() if item["state"] in ("running", "reconciling")]
        assert len(running) == 3
        failed = client.get(f"{url}/failed.csv", headers=alice.headers)
        assert failed.status_code == 200
        assert [row["id"] for row in csv.DictReader(failed.text.splitlines())] == [waiting]
        refused = client.post(f"{url}/items/{running[0]}/cancel", headers=alice.headers)
        assert refused.status_code == 409
        assert "already sent to GenAIPro · Veo" in refused.json()["error"]["message"]
        rest = client.post(f"{url}/cancel", headers=alice.headers).json()["cancel"]
        assert (rest["cancelled"], rest["already_sent"]) == (0, 3)
        assert "3 items were already sent to GenAIPro · Veo" in rest["message"]
        wait_for(lambda: client.get(url, headers=alice.headers).json()["finished"], "the batch to end")
    final = items()
    assert {key: item["state"] for key, item in final.items()} == {
        **{key: "succeeded" for key in running},
        waiting: "cancelled",
    }
    assert all(len(final[key]["files"]) == 1 for key in running)
    results = list(csv.DictReader(client.get(f"{url}/results.csv", headers=alice.headers).text.splitlines()))
    assert {row["id"]: row["status"] for row in results} == {item: final[item]["state"] for item in final}
    failed = client.get(f"{url}/failed.csv", headers=alice.headers)
    assert [row["id"] for row in csv.DictReader(failed.text.splitlines())] == [waiting]
    assert use_emulator.stats()["accepted"] == 3
