"""``POST /api/history/import`` queues the import and answers 202 with where to poll;
``GET /api/history/imports/{id}`` tells its state until the files are in the library. Against the
GenAIPro emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.providers.base import Aspect, GenerationRequest, Mode, NullJournal
from framecast.providers.registry import BuildContext
from framecast.studio import history_import_kind
from framecast.web.context import WebContext
from tests.web.conftest import Account

EMULATOR_KEY = "emulator-key-0001"


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(latency=0.05, api_key=EMULATOR_KEY, quota=10, media_seconds=1.0, media_size=64)
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def settings(database_url: str, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", database_url)
    monkeypatch.setenv("FRAMECAST_GENAIPRO__BASE_URL", emulator.base_url)
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", EMULATOR_KEY)
    monkeypatch.setenv("FRAMECAST_JOBS__POLL_S", "0.01")
    get_settings.cache_clear()
    return get_settings()


def generate(settings: Settings, tmp_path: Path, prompt: str) -> str:
    """One video made on the emulator's account (as if outside Framecast); its history id."""

    async def main() -> str:
        context = BuildContext(settings=settings, work_dir=tmp_path / "work", api_key=EMULATOR_KEY)
        bundle = registry.build("genaipro", context)
        try:
            assert bundle.video is not None
            request = GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE)
            result = await bundle.video.generate_video(request, NullJournal())
        finally:
            await bundle.aclose()
        (item,) = result.items
        assert item.provider_id is not None
        return item.provider_id

    return asyncio.run(main())


def run_import_worker(web: WebContext, settings: Settings) -> None:
    async def main() -> None:
        worker = Worker(web.db, settings, kinds=[history_import_kind.KIND])
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())


def test_an_import_is_queued_followed_and_ends_in_the_library(
    client: TestClient, web: WebContext, settings: Settings, tmp_path: Path, alice: Account, bob: Account
) -> None:
    provider_id = generate(settings, tmp_path, "a heron at dawn")

    asked = client.post(
        "/api/history/import",
        json={"provider": "genaipro", "provider_id": provider_id},
        headers=alice.headers,
    )
    asked_again = client.post("/api/history/import", json={"provider_id": provider_id}, headers=alice.headers)
    waiting = client.get(asked.json()["status_url"], headers=alice.headers)
    run_import_worker(web, settings)
    done = client.get(asked.json()["status_url"], headers=alice.headers)
    after = client.post("/api/history/import", json={"provider_id": provider_id}, headers=alice.headers)

    assert asked.status_code == 202, asked.text
    job_id = asked.json()["job_id"]
    assert asked.json() == {
        "job_id": job_id,
        "provider": "genaipro",
        "provider_id": provider_id,
        "state": "queued",
        "error": None,
        "status_url": f"/api/history/imports/{job_id}",
        "items": [],
    }
    assert (asked_again.status_code, asked_again.json()["job_id"]) == (202, job_id)
    assert waiting.json()["state"] == "queued"
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["error"]) == ("succeeded", None)
    (file,) = done.json()["items"]
    assert (file["name"], file["kind"], file["prompt"]) == ("a-heron-at-dawn.mp4", "video", "a heron at dawn")
    assert client.get(file["url"], headers=alice.headers).content[4:8] == b"ftyp"
    assert after.status_code == 400
    assert after.json()["error"]["message"] == (
        f"History item: {provider_id} is already in your library (file {file['id']})"
    )
    assert client.get(f"/api/history/imports/{job_id}", headers=bob.headers).status_code == 404
    # The queue page lists generations; the import is followed through its own route.
    assert job_id not in [job["id"] for job in client.get("/api/jobs", headers=alice.headers).json()["items"]]


def test_an_import_that_fails_says_why_in_its_state(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    asked = client.post("/api/history/import", json={"provider_id": "no-such-id"}, headers=alice.headers)
    run_import_worker(web, settings)

    failed = client.get(asked.json()["status_url"], headers=alice.headers).json()

    assert (failed["state"], failed["items"]) == ("failed", [])
    assert failed["error"] == "no item no-such-id in genaipro's recent history"


def test_a_generation_is_no_import(client: TestClient, web: WebContext, alice: Account) -> None:
    created = client.post(
        "/api/jobs", data={"mode": "text", "prompt": "a heron", "provider": "offline"}, headers=alice.headers
    )
    assert created.status_code == 201, created.text

    answer = client.get(f"/api/history/imports/{created.json()['id']}", headers=alice.headers)

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == f"no import {created.json()['id']}"
