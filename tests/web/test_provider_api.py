"""``/api/quota``, ``/api/history`` and ``/api/history/import`` against the real GenAIPro emulator (an
import is a job: a worker of its kind runs it here before its state is read)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from framecast.core.settings import Settings, get_settings
from framecast.db.models import Job
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.providers.base import Aspect, GenerationRequest, Mode, NullJournal
from framecast.providers.registry import BuildContext
from framecast.studio import history_import_kind
from framecast.studio.requests import request_to_json
from framecast.web.context import WebContext
from framecast.web.security.keys import store_key
from tests.web.conftest import Account

EMULATOR_KEY = "emulator-key-0001"
WRONG_KEY = "platform-key-9999"
QUOTA = 50


@pytest.fixture(scope="module")
def media_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One render cache for the module's emulators: each clip is rendered once."""
    return tmp_path_factory.mktemp("emulator-media")


@pytest.fixture
def emulator(media_cache: Path) -> Iterator[EmulatorHandle]:
    config = EmulatorConfig(
        latency=0.05,
        api_key=EMULATOR_KEY,
        quota=QUOTA,
        media_seconds=1.0,
        media_size=96,
        media_dir=media_cache,
        wire_variants=False,
    )
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def platform_key() -> str | None:
    """The platform key in settings; tests that need another one override this fixture."""
    return EMULATOR_KEY


@pytest.fixture
def settings(emulator: EmulatorHandle, platform_key: str | None, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_GENAIPRO__BASE_URL", emulator.base_url)
    if platform_key is not None:
        monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", platform_key)
    get_settings.cache_clear()
    return get_settings()


def generate(settings: Settings, tmp_path: Path, *prompts: str, mode: Mode = Mode.TEXT) -> list[str]:
    """Generate on the emulator with the project's own GenAIPro provider; the provider ids, in order."""

    async def main() -> list[str]:
        context = BuildContext(settings=settings, work_dir=tmp_path / "work", api_key=EMULATOR_KEY)
        bundle = registry.build("genaipro", context)
        ids: list[str] = []
        try:
            for prompt in prompts:
                if mode is Mode.IMAGE:
                    assert bundle.image is not None
                    request = GenerationRequest(mode, prompt, Aspect.SQUARE)
                    result = await bundle.image.generate_image(request, NullJournal())
                else:
                    assert bundle.video is not None
                    request = GenerationRequest(mode, prompt, Aspect.LANDSCAPE)
                    result = await bundle.video.generate_video(request, NullJournal())
                ids.extend(item.provider_id for item in result.items if item.provider_id)
        finally:
            await bundle.aclose()
        return ids

    return asyncio.run(main())


def bind(web: WebContext, account: Account, provider_id: str, prompt: str = "a bound clip") -> int:
    """Record ``provider_id`` as made by a (finished) job of ``account``, as the worker does."""
    repo = JobRepository(web.db)
    request = request_to_json(
        GenerationRequest(Mode.TEXT, prompt, Aspect.LANDSCAPE, 1), out_dir=Path("/nowhere"), stems=["x"]
    )
    job_id = repo.enqueue(
        JobSpec(provider="genaipro", mode="text", request=request, owner_id=account.user_id)
    )
    assert repo.record_provider_ids(job_id, "genaipro", [provider_id])
    with web.db.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(state="succeeded", charges=1, charged=True)
        )
    return job_id


def run_imports(web: WebContext, settings: Settings) -> None:
    """A worker of the import kind, until no import is left to run."""

    async def main() -> None:
        worker = Worker(web.db, settings, kinds=[history_import_kind.KIND])
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())


def import_item(
    client: TestClient, web: WebContext, settings: Settings, account: Account, provider_id: str, **body: Any
) -> Any:
    """``POST /api/history/import``, a worker runs the import, and the answer of its status URL."""
    asked = client.post(
        "/api/history/import", json={"provider_id": provider_id, **body}, headers=account.headers
    )
    assert asked.status_code == 202, asked.text
    assert asked.json()["state"] == "queued"
    run_imports(web, settings)
    answer = client.get(asked.json()["status_url"], headers=account.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


# -- quota ---------------------------------------------------------------------------------------------


def test_quota_uses_the_platform_key_for_a_user_without_one(client: TestClient, bob: Account) -> None:
    response = client.get("/api/quota", headers=bob.headers)

    assert response.status_code == 200, response.text
    # The platform's account is shared: bob sees what is available and what his own jobs spent.
    assert response.json() == {
        "provider": "genaipro",
        "available": QUOTA,
        "used": 0,
        "total": None,
        "scope": "own",
    }


def test_on_the_platform_key_a_user_sees_only_what_their_own_jobs_spent_and_an_admin_sees_all(
    client: TestClient, web: WebContext, settings: Settings, tmp_path: Path, alice: Account, bob: Account
) -> None:
    first, _ = generate(settings, tmp_path, "bob's clip", "someone else's clip")
    bind(web, bob, first)

    bobs = client.get("/api/quota", headers=bob.headers).json()
    admins = client.get("/api/quota", headers=alice.headers).json()

    assert (bobs["available"], bobs["used"], bobs["total"], bobs["scope"]) == (QUOTA - 2, 1, None, "own")
    assert (admins["available"], admins["used"], admins["total"], admins["scope"]) == (
        QUOTA - 2,
        2,
        QUOTA,
        "all",
    )


@pytest.mark.parametrize("platform_key", [WRONG_KEY])
def test_a_users_own_key_wins_over_the_platform_key(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    store_key(web.db, web.fernet, alice.user_id, "genaipro", EMULATOR_KEY)

    mine = client.get("/api/quota", params={"provider": "genaipro"}, headers=alice.headers)
    platform = client.get("/api/quota", params={"provider": "genaipro"}, headers=bob.headers)

    assert mine.status_code == 200, mine.text
    assert mine.json()["available"] == QUOTA
    assert platform.status_code == 502
    assert platform.json()["error"]["type"] == "provider_error"
    assert platform.json()["error"]["details"] == {"provider": "genaipro", "category": "auth"}


@pytest.mark.parametrize("platform_key", [None])
def test_without_any_key_the_answer_says_how_to_set_one(client: TestClient, bob: Account) -> None:
    response = client.get("/api/quota", headers=bob.headers)

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "configuration"
    assert "FRAMECAST_GENAIPRO__API_KEY" in response.json()["error"]["message"]


def test_the_offline_provider_reports_unlimited_quota(client: TestClient, bob: Account) -> None:
    response = client.get("/api/quota", params={"provider": "offline"}, headers=bob.headers)

    assert response.json() == {
        "provider": "offline",
        "available": None,
        "used": None,
        "total": None,
        "scope": "all",
    }


def test_an_unknown_provider_is_refused(client: TestClient, bob: Account) -> None:
    response = client.get("/api/quota", params={"provider": "nope"}, headers=bob.headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Provider: unknown provider 'nope'")


# -- balance and quotes ------------------------------------------------------------------------------------


def test_the_balance_chip_reads_the_preferred_paid_provider_with_the_platform_key(
    client: TestClient, bob: Account
) -> None:
    client.put("/api/account/preferences", json={"default_provider": "genaipro"}, headers=bob.headers)

    response = client.get("/api/balance", headers=bob.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "provider": "genaipro",
        "label": "GenAIPro · Veo",
        "paid": True,
        "unit": "credits",
        "key": "platform",
        "available": QUOTA,
        "used": 0,  # what bob's own jobs spent: the platform's account is shared
        "total": None,
        "error": None,
    }


def test_the_balance_of_a_free_provider_is_hidden(client: TestClient, bob: Account) -> None:
    body = client.get("/api/balance", headers=bob.headers).json()  # bob's default: offline

    assert (body["provider"], body["paid"], body["available"], body["error"]) == (
        "offline",
        False,
        None,
        None,
    )


@pytest.mark.parametrize("platform_key", [WRONG_KEY])
def test_a_balance_that_cannot_be_read_says_why_without_failing_the_page(
    client: TestClient, bob: Account
) -> None:
    response = client.get("/api/balance", params={"provider": "genaipro"}, headers=bob.headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["key"], body["available"]) == ("platform", None)
    assert "401" in body["error"]


@pytest.mark.parametrize("platform_key", [None])
def test_a_balance_without_any_key_says_where_to_add_one(client: TestClient, bob: Account) -> None:
    body = client.get("/api/balance", params={"provider": "genaipro"}, headers=bob.headers).json()

    assert body["key"] == "none"
    assert body["error"] == "no GenAIPro · Veo key: add yours under Settings"


def test_a_quote_gives_the_cost_and_what_will_be_left(
    client: TestClient, settings: Settings, tmp_path: Path, bob: Account
) -> None:
    generate(settings, tmp_path, "one credit spent")

    quote = client.get(
        "/api/quote", params={"provider": "genaipro", "mode": "text", "count": 4}, headers=bob.headers
    )

    assert quote.status_code == 200, quote.text
    assert quote.json() == {
        "provider": "genaipro",
        "label": "GenAIPro · Veo",
        "paid": True,
        "unit": "credits",
        "credits": 4,
        "estimate": None,
        "price_source": "",
        "price_date": "",
        "available": QUOTA - 1,
        "left": QUOTA - 5,
        "enough": True,
        "error": None,
        "text": f"4 credits · {QUOTA - 5} left",
    }


def test_a_quote_over_the_balance_says_it_is_short(
    client: TestClient, bob: Account, emulator: EmulatorHandle
) -> None:
    emulator.reset(quota=3)

    body = client.get(
        "/api/quote", params={"provider": "genaipro", "mode": "image", "count": 4}, headers=bob.headers
    ).json()

    assert (body["credits"], body["available"], body["left"], body["enough"]) == (4, 3, 0, False)
    assert body["text"] == "4 credits · only 3 available"


def test_a_quote_on_the_offline_provider_is_free(client: TestClient, bob: Account) -> None:
    body = client.get(
        "/api/quote", params={"provider": "offline", "mode": "text", "count": 4}, headers=bob.headers
    ).json()

    assert (body["paid"], body["credits"], body["enough"], body["text"]) == (
        False,
        0,
        True,
        "Offline renderer (local, free): free",
    )


def test_a_quote_names_a_bad_mode_and_count_by_their_labels(client: TestClient, bob: Account) -> None:
    mode = client.get("/api/quote", params={"mode": "poem"}, headers=bob.headers)
    count = client.get("/api/quote", params={"mode": "text", "count": 9}, headers=bob.headers)

    assert mode.status_code == 400
    assert mode.json()["error"]["message"].startswith("Mode: unknown mode 'poem'")
    assert mode.json()["error"]["details"] == {"field": "mode"}
    assert count.status_code == 422
    assert count.json()["error"]["message"].startswith("Number: ")


# -- history ---------------------------------------------------------------------------------------------


def test_history_is_paged_newest_first(
    client: TestClient, settings: Settings, tmp_path: Path, alice: Account
) -> None:
    first, second = generate(settings, tmp_path, "a heron at dawn", "a fox at dusk")

    page_one = client.get("/api/history", params={"page_size": 1}, headers=alice.headers).json()
    page_two = client.get("/api/history", params={"page": 2, "page_size": 1}, headers=alice.headers).json()

    assert (page_one["page"], page_one["total"], page_one["total_pages"]) == (1, 2, 2)
    assert [item["provider_id"] for item in page_one["items"] + page_two["items"]] == [second, first]
    item = page_one["items"][0]
    assert set(item) == {"provider_id", "prompt", "status", "file_urls", "created_at"}
    assert (item["prompt"], item["status"]) == ("a fox at dusk", "completed")
    assert len(item["file_urls"]) == 1
    assert item["created_at"] is not None


def test_the_offline_provider_has_no_history(client: TestClient, alice: Account) -> None:
    response = client.get("/api/history", params={"provider": "offline"}, headers=alice.headers)

    assert response.status_code == 400
    assert "keeps no history" in response.json()["error"]["message"]


def test_an_out_of_range_page_size_is_refused(client: TestClient, alice: Account) -> None:
    response = client.get("/api/history", params={"page_size": 500}, headers=alice.headers)

    assert response.status_code == 422


# -- import ----------------------------------------------------------------------------------------------


def test_a_history_video_is_imported_into_the_library_once(
    client: TestClient, web: WebContext, settings: Settings, tmp_path: Path, alice: Account
) -> None:
    (provider_id,) = generate(settings, tmp_path, "a heron at dawn")

    imported = import_item(client, web, settings, alice, provider_id, provider="genaipro")
    again = client.post("/api/history/import", json={"provider_id": provider_id}, headers=alice.headers)

    assert (imported["state"], imported["error"], imported["provider_id"]) == ("succeeded", None, provider_id)
    (file,) = imported["items"]
    assert (file["kind"], file["prompt"], file["provider"]) == ("video", "a heron at dawn", "genaipro")
    assert file["name"] == "a-heron-at-dawn.mp4"
    assert file["job_id"] is None
    content = client.get(file["url"], headers=alice.headers)
    assert content.status_code == 200
    assert content.content[4:8] == b"ftyp"
    assert file["size_bytes"] == len(content.content)
    listed = client.get("/api/files", headers=alice.headers).json()
    assert [item["id"] for item in listed["items"]] == [file["id"]]
    assert again.status_code == 400
    assert again.json()["error"]["message"] == (
        f"History item: {provider_id} is already in your library (file {file['id']})"
    )
    folder = web.media_root / str(alice.user_id) / "history" / "genaipro"
    assert len(list(folder.iterdir())) == 1
    poster = client.get(file["poster_url"], headers=alice.headers)
    assert poster.status_code == 200
    assert poster.headers["content-type"] == "image/jpeg"
    assert poster.content[:3] == b"\xff\xd8\xff"


def test_a_history_image_is_imported_as_an_image(
    client: TestClient, web: WebContext, settings: Settings, tmp_path: Path, alice: Account
) -> None:
    (provider_id,) = generate(settings, tmp_path, "a red square", mode=Mode.IMAGE)

    imported = import_item(client, web, settings, alice, provider_id)

    assert imported["state"] == "succeeded", imported
    (file,) = imported["items"]
    assert (file["kind"], file["name"], file["poster_url"]) == ("image", "a-red-square.png", None)
    assert client.get(file["url"], headers=alice.headers).content.startswith(b"\x89PNG")


def test_an_unknown_history_item_fails_its_import_saying_so(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    imported = import_item(client, web, settings, alice, "no-such-id")

    assert (imported["state"], imported["items"]) == ("failed", [])
    assert imported["error"] == "no item no-such-id in genaipro's recent history"


def test_on_the_platform_key_a_user_sees_and_imports_only_their_own_generations(
    client: TestClient, web: WebContext, settings: Settings, tmp_path: Path, alice: Account, bob: Account
) -> None:
    bobs, others = generate(settings, tmp_path, "bob's own clip", "carol's private clip")
    bind(web, bob, bobs)

    history = client.get("/api/history", headers=bob.headers).json()
    admin_history = client.get("/api/history", headers=alice.headers).json()
    foreign = client.post("/api/history/import", json={"provider_id": others}, headers=bob.headers)
    own = import_item(client, web, settings, bob, bobs)

    assert [item["provider_id"] for item in history["items"]] == [bobs]
    assert (history["total"], history["scope"]) == (1, "own")
    assert "carol's private clip" not in str(history)
    assert [item["provider_id"] for item in admin_history["items"]] == [others, bobs]
    assert admin_history["scope"] == "all"
    assert foreign.status_code == 404
    assert foreign.json()["error"]["message"] == f"no item {others} among your generations at genaipro"
    assert own["state"] == "succeeded", own


def test_each_user_imports_into_their_own_library(
    client: TestClient, web: WebContext, settings: Settings, tmp_path: Path, alice: Account, bob: Account
) -> None:
    (provider_id,) = generate(settings, tmp_path, "a shared account's clip")
    bind(web, bob, provider_id)
    alices = import_item(client, web, settings, alice, provider_id)

    bobs = import_item(client, web, settings, bob, provider_id)

    assert (alices["state"], bobs["state"]) == ("succeeded", "succeeded")
    alice_file, bob_file = alices["items"][0], bobs["items"][0]
    assert client.get(alice_file["url"], headers=bob.headers).status_code == 404
    assert client.get(bob_file["url"], headers=alice.headers).status_code == 404
    assert [f["id"] for f in client.get("/api/files", headers=bob.headers).json()["items"]] == [
        bob_file["id"]
    ]
    # An import is its owner's: another user's id answers like a missing one.
    assert client.get(f"/api/history/imports/{alices['job_id']}", headers=bob.headers).status_code == 404


def test_provider_routes_need_a_login(client: TestClient) -> None:
    answers = [
        client.get("/api/quota"),
        client.get("/api/history"),
        client.post("/api/history/import", json={"provider_id": "x"}),
        client.get("/api/history/imports/1"),
    ]

    assert [r.status_code for r in answers] == [401, 401, 401, 401]
    assert {r.json()["error"]["type"] for r in answers} == {"not_authenticated"}
