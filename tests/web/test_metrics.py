"""``GET /metrics``: who may read it, that every line is valid exposition text, and that the figures
move when jobs run, limits change and the Tutor answers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from framecast.core import metrics
from framecast.core.errors import ErrorCategory, RefusedError
from framecast.core.metrics import Registry
from framecast.core.settings import Settings
from framecast.db.metric_totals import ThisProcess
from framecast.db.tutor import Conversation, TutorSession
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.worker import Worker
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.studio.requests import request_to_json
from framecast.web.app import create_app
from framecast.web.context import WebContext
from tests.jobs.fakes import FakeVideo, fake_bundle
from tests.metrics_text import Family, parse, value
from tests.web.conftest import Account, make_account

SCRAPE_TOKEN = "a-long-random-scrape-token"


def scrape(client: TestClient, account: Account) -> dict[str, Family]:
    response = client.get("/metrics", headers=account.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(response.text)


def run_one_job(web: WebContext, settings: Settings, video: FakeVideo) -> None:
    request = GenerationRequest(Mode.TEXT, "a red fox", Aspect.LANDSCAPE, 1)
    JobRepository(web.db).enqueue(
        JobSpec(
            provider="fake",
            mode="text",
            request=request_to_json(request, out_dir=video.work / "out", stems=["fox"]),
        )
    )
    settings.jobs.poll_s = 0.01
    worker = Worker(web.db, settings, bundles={"fake": fake_bundle(video.work, video)})
    asyncio.run(worker.run(until_done=True))


def counted(families: dict[str, Family], sample: str, **labels: str) -> float:
    return value(families, sample, **labels) or 0.0


# -- who may read it ---------------------------------------------------------------------------------


def test_metrics_need_a_login(client: TestClient) -> None:
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_a_user_who_is_not_an_administrator_is_refused(client: TestClient, bob: Account) -> None:
    response = client.get("/metrics", headers=bob.headers)

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "forbidden"


def test_an_administrator_reads_valid_exposition_text(client: TestClient, alice: Account) -> None:
    families = scrape(client, alice)

    assert value(families, "framecast_database_up") == 1
    # No Studio worker runs; the Tutor's avatar-render worker of the app is counted once it has beaten.
    assert value(families, "framecast_workers") in (0, 1)
    assert (
        value(families, "framecast_jobs", kind="studio.generation", state="queued", provider="offline") == 0
    )
    assert value(families, "framecast_avatar_render_queue_depth", state="pending") == 0
    assert families["framecast_tutor_turn_seconds"].type == "histogram"


@pytest.fixture
def token_app(settings: Settings) -> FastAPI:
    web = settings.web.model_copy(update={"metrics_token": SecretStr(SCRAPE_TOKEN)})
    return create_app(settings.model_copy(update={"web": web}), embedded_worker=False)


def test_a_scraper_with_the_metrics_token_reads_them_without_an_account(token_app: FastAPI) -> None:
    with TestClient(token_app) as client:
        good = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
        wrong = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}x"})
        in_query = client.get(f"/metrics?token={SCRAPE_TOKEN}")

    assert good.status_code == 200
    parse(good.text)
    assert (wrong.status_code, in_query.status_code) == (401, 401)
    assert wrong.json()["error"]["type"] == "not_authenticated"


def test_without_a_metrics_token_an_empty_bearer_is_not_let_in(client: TestClient) -> None:
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


# -- the figures move --------------------------------------------------------------------------------


def test_claims_requests_429s_and_job_states_move_after_a_job_runs(
    client: TestClient, web: WebContext, settings: Settings, alice: Account, tmp_path: Path
) -> None:
    before = scrape(client, alice)
    refusal = RefusedError("429", provider="fake", category=ErrorCategory.RATE_LIMIT, retry_after=0.01)

    run_one_job(web, settings, FakeVideo(tmp_path, script=[refusal]))

    after = scrape(client, alice)
    for sample, labels, moved in (
        ("framecast_job_claims_total", {"provider": "fake"}, 2),  # claimed, refused, claimed again
        ("framecast_provider_requests_total", {"provider": "fake", "outcome": "ok"}, 1),
        ("framecast_provider_requests_total", {"provider": "fake", "outcome": "rate_limit"}, 1),
        ("framecast_provider_rate_limited_total", {"provider": "fake"}, 1),
    ):
        assert counted(after, sample, **labels) - counted(before, sample, **labels) == moved, sample
    assert value(after, "framecast_jobs", kind="studio.generation", state="succeeded", provider="fake") == 1
    assert value(after, "framecast_jobs", kind="studio.generation", state="queued", provider="fake") == 0


def test_claims_and_turns_counted_by_other_processes_are_added_from_the_database(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    """A ``framecast worker`` serves no HTTP: what it counts reaches this server through the rows it
    publishes (``db/metric_totals.py``), as a second server's Tutor turns do."""
    before = scrape(client, alice)
    worker = Registry()
    worker.counter(metrics.CLAIMS.name, metrics.CLAIMS.help, ("provider",)).inc(3, provider="genaipro")
    worker.counter(metrics.PROVIDER_REQUESTS.name, "", ("provider", "outcome")).inc(
        provider="genaipro", outcome="ok"
    )
    other_server = Registry()
    turns = other_server.histogram(metrics.TUTOR_TURN_SECONDS.name, "", ("kind",))
    turns.observe(0.2, kind="text")
    ThisProcess(worker).publish(web.db)
    ThisProcess(other_server).publish(web.db)

    after = scrape(client, alice)

    for sample, labels, moved in (
        ("framecast_job_claims_total", {"provider": "genaipro"}, 3),
        ("framecast_provider_requests_total", {"provider": "genaipro", "outcome": "ok"}, 1),
        ("framecast_tutor_turn_seconds_count", {"kind": "text"}, 1),
        ("framecast_tutor_turn_seconds_bucket", {"kind": "text", "le": "0.25"}, 1),
    ):
        assert counted(after, sample, **labels) - counted(before, sample, **labels) == moved, sample


def test_a_scrape_publishes_this_servers_own_counts_so_a_restart_after_a_crash_starts_from_them(
    client: TestClient, web: WebContext, settings: Settings, alice: Account, tmp_path: Path
) -> None:
    run_one_job(web, settings, FakeVideo(tmp_path))
    shown = counted(scrape(client, alice), "framecast_job_claims_total", provider="fake")

    successor = Registry()  # the server started again after kill -9: it has counted nothing
    successor.counter(metrics.CLAIMS.name, metrics.CLAIMS.help, ("provider",))
    successor.absorb(ThisProcess(successor).others(web.db))

    assert shown >= 1
    assert counted(parse(successor.render()), "framecast_job_claims_total", provider="fake") == shown


async def test_a_running_workers_adaptive_limits_are_shown_until_it_stops(
    app: FastAPI, web: WebContext, settings: Settings, alice: Account, tmp_path: Path
) -> None:
    worker = Worker(web.db, settings, bundles={"fake": fake_bundle(tmp_path, FakeVideo(tmp_path))})
    limiter = worker.limiters["fake"]
    limiter.on_rate_limited(0.01)  # a 429 lowers the rate below its ceiling
    labels = {"provider": "fake", "worker": worker.worker_id}
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop=stop))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as http:
        deadline = asyncio.get_running_loop().time() + 30
        while True:  # until the worker has written its first beat
            during = parse((await http.get("/metrics", headers=alice.headers)).text)
            if value(during, "framecast_workers") == 1:
                break
            assert asyncio.get_running_loop().time() < deadline, "the worker never beat"
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(running, timeout=30)
        after = parse((await http.get("/metrics", headers=alice.headers)).text)

    assert value(during, "framecast_provider_concurrency_limit", **labels) == limiter.concurrency
    assert value(during, "framecast_provider_rate_per_minute", **labels) == pytest.approx(limiter.rate)
    assert value(during, "framecast_provider_rate_ceiling_per_minute", **labels) == limiter.ceiling
    assert limiter.rate < limiter.ceiling
    assert value(during, "framecast_provider_in_flight", **labels) == 0
    assert value(during, "framecast_workers") == 1
    assert value(after, "framecast_provider_concurrency_limit", **labels) is None
    assert value(after, "framecast_workers") == 0


def test_avatar_renders_waiting_are_counted_by_state(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    with web.db.session() as session:
        lesson = TutorSession(user_id=alice.user_id)
        session.add(lesson)
        session.flush()
        for seq, state in enumerate(("pending", "pending", "rendering", "ready", "failed", None), 1):
            session.add(
                Conversation(session_id=lesson.id, seq=seq, role="assistant", content="Hi", video_state=state)
            )

    families = scrape(client, alice)

    assert value(families, "framecast_avatar_render_queue_depth", state="pending") == 2
    assert value(families, "framecast_avatar_render_queue_depth", state="rendering") == 1


@pytest.fixture
def quiet(settings: Settings) -> Iterator[tuple[TestClient, Account]]:
    tutor = settings.tutor.model_copy(update={"avatar": "none"})
    app = create_app(settings.model_copy(update={"tutor": tutor}), embedded_worker=False)
    with TestClient(app) as client:
        yield client, make_account(app.state.web, "admin@example.com", admin=True)


def test_a_tutor_turn_is_observed_in_the_turn_latency_histogram(quiet: tuple[TestClient, Account]) -> None:
    client, admin = quiet
    before = counted(scrape(client, admin), "framecast_tutor_turn_seconds_count", kind="text")
    created = client.post("/api/conversations/sessions", json={}, headers=admin.headers)
    assert created.status_code == 201, created.text

    with client.websocket_connect(f"/ws/conversation/{created.json()['id']}?token={admin.token}") as ws:
        ws.send_text(
            json.dumps({"type": "text", "data": {"text": "I go to school yesterday.", "client_id": "1"}})
        )
        for _ in range(50):
            if json.loads(ws.receive_text())["type"] == "response":
                break
        else:
            raise AssertionError("no response to the turn")

    deadline = time.monotonic() + 10
    while counted(scrape(client, admin), "framecast_tutor_turn_seconds_count", kind="text") != before + 1:
        assert time.monotonic() < deadline, "the turn was not observed"
        time.sleep(0.02)
    families = scrape(client, admin)
    assert counted(families, "framecast_tutor_turn_seconds_sum", kind="text") > 0


async def test_the_limits_every_worker_shares_are_read_from_the_database(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    from framecast.jobs.shared_limits import SharedLimiter

    # Two workers (of other processes, as far as this server knows) on one account.
    first = SharedLimiter(web.db, "genaipro", 3, 60.0, holder="host-a:1:x")
    second = SharedLimiter(web.db, "genaipro", 3, 60.0, holder="host-b:2:y")
    async with first.slot(), second.slot():
        await second.rate_limited(retry_after=0.01)
        families = await asyncio.to_thread(scrape, client, alice)

    assert value(families, "framecast_account_in_flight", account="genaipro") == 2
    assert value(families, "framecast_account_concurrency_limit", account="genaipro") == 3
    assert value(families, "framecast_account_rate_per_minute", account="genaipro") == pytest.approx(42.0)
    assert value(families, "framecast_account_rate_limited", account="genaipro") == 1
    after = await asyncio.to_thread(scrape, client, alice)
    assert value(after, "framecast_account_in_flight", account="genaipro") == 0
