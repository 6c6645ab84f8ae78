"""News across processes: two News objects on one database stand for two processes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from framecast.db import news
from framecast.db.models import Job
from framecast.db.session import Database


def _job(owner: int, kind: str = "studio.generation") -> Job:
    return Job(
        kind=kind, owner_id=owner, provider="offline", mode="text", request={}, provider_ids=[], outputs=[]
    )


async def _until(heard: list[Any], count: int, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while len(heard) < count:
            await asyncio.sleep(0.02)


async def test_a_tutor_notice_reaches_another_process_and_this_one_once(db: Database) -> None:
    server, worker = news.News(db, poll_s=0.05), news.News(db, poll_s=0.05)
    on_server: list[dict[str, Any]] = []
    on_worker: list[dict[str, Any]] = []
    server.subscribe(news.TUTOR, on_server.append)
    worker.subscribe(news.TUTOR, on_worker.append)
    async with server.listening(), worker.listening():
        await asyncio.sleep(0.3)  # both listening
        await worker.publish_async(news.TUTOR, {"session_id": "s1", "message": {"type": "video_update"}})
        await _until(on_server, 1)
        await _until(on_worker, 1)
        await asyncio.sleep(0.3)  # no second copy arrives through the database
    assert on_server == [{"session_id": "s1", "message": {"type": "video_update"}}]
    assert on_worker == on_server


async def test_an_unsubscribed_listener_hears_nothing_more(db: Database) -> None:
    server, worker = news.News(db, poll_s=0.05), news.News(db, poll_s=0.05)
    heard: list[dict[str, Any]] = []
    stop = server.subscribe(news.TUTOR, heard.append)
    async with server.listening():
        await asyncio.sleep(0.3)
        await worker.publish_async(news.TUTOR, {"n": 1})
        await _until(heard, 1)
        stop()
        await worker.publish_async(news.TUTOR, {"n": 2})
        await asyncio.sleep(0.4)
    assert heard == [{"n": 1}]


def test_a_notice_too_large_for_notify_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="too large"):
        news.News(db).publish(news.TUTOR, {"text": "x" * 9000})


@pytest.mark.postgres
async def test_every_visible_job_change_is_announced_but_a_lease_renewal_is_not(postgres_url: str) -> None:
    db = Database(postgres_url)
    listener = news.News(db)
    assert listener.live
    changed: list[dict[str, Any]] = []
    queued: list[dict[str, Any]] = []
    listener.subscribe(news.JOBS, changed.append)
    listener.subscribe(news.QUEUED, queued.append)
    try:
        async with listener.listening():
            await _until(changed, 1)  # the "look again" every (re)connection starts with
            await _until(queued, 1)
            changed.clear()
            queued.clear()
            with db.session() as session:
                job = _job(owner=7, kind="tests.noop")
                session.add(job)
                session.flush()
                job_id = job.id
            await _until(changed, 1)
            await _until(queued, 1)
            assert changed == [{"owner": 7}]
            assert queued == [{"kind": "tests.noop"}]
            with db.session() as session:
                row = session.get(Job, job_id)
                assert row is not None
                row.state = "running"
            await _until(changed, 2)
            with db.session() as session:
                row = session.get(Job, job_id)
                assert row is not None
                row.lease_expires_at = row.updated_at  # a heartbeat's renewal
            await asyncio.sleep(0.5)
            assert len(changed) == 2
            assert queued == [{"kind": "tests.noop"}]  # running is not queued
    finally:
        db.dispose()
