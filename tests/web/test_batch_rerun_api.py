"""``/api/batches/{id}/rerun``: a batch rehearsed on offline runs again on a paid provider with the
same ids, its cost shown first in the provider's own unit.

The rehearsal runs with the real worker on the offline provider; the re-run against the GenAIPro
emulator, whose stats prove what was sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from framecast.core.settings import Settings, get_settings
from framecast.db.models import Batch
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.web.context import WebContext
from tests.web.conftest import Account
from tests.web.test_batches_api import get_batch, out_dir, started, states

EMULATOR_KEY = "emulator-key-0001"


@pytest.fixture
def credits() -> int:
    """The GenAIPro account's balance; a test parametrizes it to ask for another."""
    return 10


@pytest.fixture
def emulator(credits: int) -> Iterator[EmulatorHandle]:
    """A GenAIPro account with ``credits`` for ``EMULATOR_KEY``."""
    config = EmulatorConfig(
        latency=0.1, api_key=EMULATOR_KEY, quota=credits, media_seconds=1.0, media_size=64
    )
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def settings(database_url: str, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Both databases; small, fast offline renders; the emulator as GenAIPro."""
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", database_url)
    monkeypatch.setenv("FRAMECAST_OFFLINE__SECONDS", "1")
    monkeypatch.setenv("FRAMECAST_OFFLINE__SHORT_SIDE", "144")
    monkeypatch.setenv("FRAMECAST_JOBS__POLL_S", "0.05")
    monkeypatch.setenv("FRAMECAST_GENAIPRO__BASE_URL", emulator.base_url)
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", EMULATOR_KEY)
    get_settings.cache_clear()
    return get_settings()


def run(web: WebContext, settings: Settings, batch_id: int, provider: str) -> None:
    async def main() -> None:
        worker = Worker(web.db, settings, providers=[provider], batch_id=batch_id)
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())


def rehearsed(client: TestClient, web: WebContext, settings: Settings, account: Account) -> int:
    batch_id = int(started(client, account)["id"])
    run(web, settings, batch_id, "offline")
    assert get_batch(client, account, batch_id)["counts"] == {"succeeded": 2}
    return batch_id


def rerun_preview(client: TestClient, account: Account, batch_id: int, provider: str) -> Any:
    return client.post(
        f"/api/batches/{batch_id}/rerun/preview", json={"provider": provider}, headers=account.headers
    )


def rerun(client: TestClient, account: Account, batch_id: int, provider: str, **fields: Any) -> Any:
    return client.post(
        f"/api/batches/{batch_id}/rerun", json={"provider": provider, **fields}, headers=account.headers
    )


def batch_count(web: WebContext) -> int:
    with web.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Batch)) or 0)


def test_a_rehearsal_reruns_on_genaipro_with_the_same_ids_after_its_cost_in_credits(
    emulator: EmulatorHandle, client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    rehearsal = rehearsed(client, web, settings, alice)

    quote = rerun_preview(client, alice, rehearsal, "genaipro")

    assert quote.status_code == 200, quote.text
    body = quote.json()
    assert (body["batch_id"], body["provider"], body["provider_label"]) == (
        rehearsal,
        "genaipro",
        "GenAIPro · Veo",
    )
    assert (body["item_count"], body["credits_needed"], body["dollars_estimate"]) == (2, 2, None)
    assert (body["paid"], body["quota"], body["enough_quota"]) == (True, {"available": 10}, True)
    assert batch_count(web) == 1
    assert emulator.stats()["accepted"] == 0

    created = rerun(client, alice, rehearsal, "genaipro")

    assert created.status_code == 201, created.text
    batch = created.json()
    assert (batch["provider"], batch["rerun_of"], batch["kind"]) == ("genaipro", rehearsal, "aroll")
    assert states(batch) == {"intro": "queued", "close-up": "queued"}
    assert out_dir(web, batch["id"]) == out_dir(web, rehearsal) / "genaipro"
    run(web, settings, batch["id"], "genaipro")
    finished = get_batch(client, alice, batch["id"])
    assert finished["counts"] == {"succeeded": 2}
    assert [f["name"] for item in finished["items"] for f in item["files"]] == ["intro.mp4", "close-up.mp4"]
    assert sorted(p.name for p in out_dir(web, batch["id"]).glob("*.mp4")) == ["close-up.mp4", "intro.mp4"]
    assert emulator.stats()["accepted"] == 2
    assert get_batch(client, alice, rehearsal)["rerun_of"] is None

    again = rerun(client, alice, rehearsal, "genaipro")  # resumes the re-run: nothing new is sent
    assert (again.status_code, again.json()["id"]) == (201, batch["id"])
    assert again.json()["counts"] == {"succeeded": 2}


def test_a_rerun_on_the_batchs_own_or_an_unknown_provider_is_refused_naming_the_field(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    rehearsal = rehearsed(client, web, settings, alice)

    for answer in (
        rerun_preview(client, alice, rehearsal, "offline"),
        rerun(client, alice, rehearsal, "offline"),
    ):
        assert answer.status_code == 400
        message = answer.json()["error"]["message"]
        assert message.startswith("Provider: ")
        assert "already ran on Offline renderer (local, free)" in message
        assert "resuming" in message
    unknown = rerun(client, alice, rehearsal, "nowhere")
    assert unknown.status_code == 400
    assert "unknown provider 'nowhere'" in unknown.json()["error"]["message"]
    assert batch_count(web) == 1


@pytest.mark.parametrize("credits", [1])
def test_a_rerun_beyond_the_balance_is_refused_unless_forced(
    emulator: EmulatorHandle, client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    rehearsal = rehearsed(client, web, settings, alice)
    quote = rerun_preview(client, alice, rehearsal, "genaipro").json()
    assert (quote["credits_needed"], quote["quota"], quote["enough_quota"]) == (2, {"available": 1}, False)

    refused = rerun(client, alice, rehearsal, "genaipro")
    assert refused.status_code == 400
    assert "needs up to 2 credits" in refused.json()["error"]["message"]
    assert batch_count(web) == 1

    forced = rerun(client, alice, rehearsal, "genaipro", force=True)
    assert forced.status_code == 201, forced.text
    assert forced.json()["rerun_of"] == rehearsal


def test_a_dollar_priced_provider_quotes_an_estimate_in_dollars(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    rehearsal = rehearsed(client, web, settings, alice)
    traits = registry.traits("google-veo", settings)
    per_video = traits.dollars_per_video_second
    assert per_video is not None

    body = rerun_preview(client, alice, rehearsal, "google-veo").json()

    assert body["paid"] is True
    assert body["credits_needed"] == 0
    assert body["dollars_estimate"] == pytest.approx(2 * per_video * traits.default_video_seconds)
    assert body["price_source"] == traits.price_source


def test_bob_cannot_quote_or_rerun_alices_batch(
    client: TestClient, web: WebContext, settings: Settings, alice: Account, bob: Account
) -> None:
    rehearsal = rehearsed(client, web, settings, alice)

    for answer in (
        rerun_preview(client, bob, rehearsal, "genaipro"),
        rerun(client, bob, rehearsal, "genaipro"),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["message"] == f"no batch {rehearsal}"
    assert batch_count(web) == 1


def test_a_rerun_whose_upload_file_changed_is_refused(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    rehearsal = rehearsed(client, web, settings, alice)
    with web.db.session() as session:
        batch = session.get(Batch, rehearsal)
        assert batch is not None
        source = Path(batch.source_path)
    source.write_text("intro\nA heron lands on the river at dawn\n", encoding="utf-8")

    answer = rerun(client, alice, rehearsal, "genaipro")

    assert answer.status_code == 400
    assert (
        f"shots.txt changed since batch {rehearsal} ran: item 'close-up'" in answer.json()["error"]["message"]
    )
    assert str(web.upload_root) not in answer.json()["error"]["message"]
