"""``GET /api/events``: a snapshot on connect, then one event per visible change, only of one's own jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from framecast.db.base import utcnow
from framecast.db.models import Batch, Job
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.web.context import WebContext
from framecast.web.events import JobFilter, JobWatcher, job_events
from tests.web.conftest import Account

# Every test here reads a live stream; a missing event must fail the test, not hang the suite.
pytestmark = pytest.mark.timeout(30)


def enqueue(web: WebContext, owner: Account, prompt: str = "a heron", batch_id: int | None = None) -> int:
    request = {"mode": "text", "prompt": prompt, "aspect": "landscape", "count": 1, "stems": ["x"]}
    return JobRepository(web.db).enqueue(
        JobSpec(provider="offline", mode="text", request=request, owner_id=owner.user_id, batch_id=batch_id)
    )


def make_batch(web: WebContext, owner: Account) -> int:
    with web.db.session() as session:
        batch = Batch(
            owner_id=owner.user_id,
            kind="aroll",
            provider="offline",
            out_dir="/tmp/out",
            source_path="/tmp/in.txt",
            source_format="txt",
            options={},
        )
        session.add(batch)
        session.flush()
        return batch.id


def messages(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """SSE messages as ``{field: value}``; comment lines come as ``{"comment": text}``."""
    message: dict[str, Any] = {}
    for line in lines:
        if line == "":
            if message:
                yield message
            message = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            field, _, value = line.partition(":")
            message[field] = value.removeprefix(" ")


def next_event(stream: Iterator[dict[str, Any]], event: str) -> Any:
    for message in stream:
        if message.get("event") == event:
            return json.loads(message["data"])
    raise AssertionError(f"the stream ended before a {event!r} event")


def test_the_stream_opens_with_a_retry_hint_and_a_snapshot_then_sends_changes(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    first = enqueue(web, alice, "first")
    second = enqueue(web, alice, "second")

    with client.stream("GET", "/api/events", headers=alice.headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        stream = messages(response.iter_lines())
        assert next(stream) == {"retry": "2000"}
        snapshot = next_event(stream, "snapshot")
        assert [(j["id"], j["state"]) for j in snapshot["items"]] == [(second, "queued"), (first, "queued")]

        cancelled = client.post(f"/api/jobs/{first}/cancel", headers=alice.headers)
        assert cancelled.status_code == 200
        changed = next_event(stream, "job")

    assert (changed["id"], changed["state"]) == (first, "cancelled")
    assert changed == cancelled.json()


def test_a_job_created_after_connecting_is_sent(client: TestClient, web: WebContext, alice: Account) -> None:
    with client.stream("GET", "/api/events", headers=alice.headers) as response:
        stream = messages(response.iter_lines())
        assert next_event(stream, "snapshot") == {"items": []}

        created = client.post("/api/jobs", data={"mode": "text", "prompt": "new"}, headers=alice.headers)
        event = next_event(stream, "job")

    assert event["id"] == created.json()["id"]


def test_a_job_filter_follows_only_that_job(client: TestClient, web: WebContext, alice: Account) -> None:
    followed = enqueue(web, alice, "followed")
    other = enqueue(web, alice, "other")

    with client.stream("GET", "/api/events", params={"job_id": followed}, headers=alice.headers) as response:
        stream = messages(response.iter_lines())
        assert [j["id"] for j in next_event(stream, "snapshot")["items"]] == [followed]
        client.post(f"/api/jobs/{other}/cancel", headers=alice.headers)
        client.post(f"/api/jobs/{followed}/cancel", headers=alice.headers)
        event = next_event(stream, "job")

    assert event["id"] == followed


def test_a_batch_filter_follows_that_batchs_jobs(client: TestClient, web: WebContext, alice: Account) -> None:
    batch_id = make_batch(web, alice)
    inside = enqueue(web, alice, "inside", batch_id=batch_id)
    enqueue(web, alice, "outside")

    with client.stream(
        "GET", "/api/events", params={"batch_id": batch_id}, headers=alice.headers
    ) as response:
        snapshot = next_event(messages(response.iter_lines()), "snapshot")

    assert [j["id"] for j in snapshot["items"]] == [inside]
    assert snapshot["items"][0]["batch_id"] == batch_id


def test_an_event_source_may_authenticate_with_a_token_in_the_query(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    job_id = enqueue(web, alice)

    with client.stream("GET", "/api/events", params={"token": alice.token}) as response:
        snapshot = next_event(messages(response.iter_lines()), "snapshot")

    assert [j["id"] for j in snapshot["items"]] == [job_id]


def test_the_stream_needs_a_login(client: TestClient) -> None:
    response = client.get("/api/events")

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_bob_cannot_follow_alices_job_or_batch_and_sees_none_of_her_jobs(
    client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    job_id = enqueue(web, alice)
    batch_id = make_batch(web, alice)

    by_job = client.get("/api/events", params={"job_id": job_id}, headers=bob.headers)
    by_batch = client.get("/api/events", params={"batch_id": batch_id}, headers=bob.headers)
    missing = client.get("/api/events", params={"job_id": 999}, headers=bob.headers)
    with client.stream("GET", "/api/events", headers=bob.headers) as response:
        snapshot = next_event(messages(response.iter_lines()), "snapshot")

    assert (by_job.status_code, by_job.json()["error"]["message"]) == (404, f"no job {job_id}")
    assert (by_batch.status_code, by_batch.json()["error"]["message"]) == (404, f"no batch {batch_id}")
    assert missing.status_code == 404
    assert snapshot == {"items": []}


# -- the watcher and the stream on their own ----------------------------------------------------------


def test_a_heartbeat_that_only_touches_updated_at_is_not_sent_again(web: WebContext, alice: Account) -> None:
    job_id = enqueue(web, alice)
    watcher = JobWatcher(web.db, JobFilter(owner_id=alice.user_id), web.media_links)
    watcher.snapshot()

    with web.db.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow()))
    untouched = watcher.changes()
    JobRepository(web.db).set_progress(job_id, "processing", 40)
    moved = watcher.changes()

    assert untouched == []
    assert [(j["id"], j["progress"]) for j in moved] == [(job_id, {"status": "processing", "percent": 40})]
    assert watcher.changes() == []


class _ConnectedRequest:
    """What ``job_events`` asks of a request: whether the client has gone; here it goes after a while."""

    def __init__(self, polls_before_leaving: int) -> None:
        self.polls_left = polls_before_leaving

    async def is_disconnected(self) -> bool:
        self.polls_left -= 1
        return self.polls_left < 0


async def test_an_idle_stream_sends_comment_heartbeats_and_ends_when_the_client_leaves(
    web: WebContext, alice: Account
) -> None:
    watcher = JobWatcher(web.db, JobFilter(owner_id=alice.user_id), web.media_links)
    request: Any = _ConnectedRequest(polls_before_leaving=3)

    chunks = [chunk async for chunk in job_events(request, watcher, poll_s=0.0, heartbeat_s=0.0)]

    assert chunks[0] == "retry: 2000\n\n"
    assert chunks[1] == 'event: snapshot\ndata: {"items":[]}\n\n'
    assert chunks[2:] == [": keep-alive\n\n"] * 3
