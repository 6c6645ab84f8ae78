"""Workers' rows in ``worker_beats``: written at start and on every beat, gone after a clean stop."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from datetime import timedelta
from pathlib import Path

from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.db.models import GENERATION_KIND
from framecast.db.session import Database
from framecast.jobs import beats
from framecast.jobs.worker import Worker
from framecast.studio import generation_kind  # noqa: F401  (registers the Studio generation kind)
from tests.jobs.fakes import FakeVideo, fake_bundle


def listed(db: Database, **kwargs: float) -> list[beats.Beat]:
    with db.session() as session:
        return beats.recent_beats(session, **kwargs)


def test_a_beat_makes_the_row_then_moves_its_time_and_removing_it_forgets_the_worker(db: Database) -> None:
    first = beats.describe("host-a:12:abcd", ["offline", "genaipro"])
    with db.session() as session:
        beats.record_beat(session, first)
    later = dataclasses.replace(first, beat_at=first.beat_at + timedelta(seconds=5))
    with db.session() as session:
        beats.record_beat(session, later)

    [found] = listed(db)
    assert (found.worker_id, found.host, found.pid) == ("host-a:12:abcd", socket.gethostname(), os.getpid())
    assert (found.started_at, found.beat_at) == (first.started_at, later.beat_at)
    assert found.capabilities == "genaipro,offline"
    with db.session() as session:
        beats.remove_beat(session, "host-a:12:abcd")
    assert listed(db) == []


def test_only_workers_that_beat_lately_are_listed_newest_first(db: Database) -> None:
    now = utcnow()
    for worker_id, age in (("old", beats.ALIVE_S + 10), ("fresh", 1.0), ("freshest", 0.0)):
        beat = dataclasses.replace(beats.describe(worker_id, []), beat_at=now - timedelta(seconds=age))
        with db.session() as session:
            beats.record_beat(session, beat)

    assert [b.worker_id for b in listed(db)] == ["freshest", "fresh"]
    assert [b.worker_id for b in listed(db, within_s=beats.ALIVE_S * 2)] == ["freshest", "fresh", "old"]
    assert listed(db)[0].capabilities is None


def test_a_beat_deletes_the_rows_of_workers_gone_for_a_day(db: Database) -> None:
    long_ago = utcnow() - timedelta(seconds=beats.FORGET_S + 60)
    with db.session() as session:
        beats.record_beat(session, dataclasses.replace(beats.describe("gone", []), beat_at=long_ago))
    with db.session() as session:
        beats.record_beat(session, beats.describe("alive", []))

    assert [b.worker_id for b in listed(db, within_s=beats.FORGET_S * 2)] == ["alive"]


async def test_a_running_worker_beats_and_its_row_is_removed_when_it_stops(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    worker = Worker(
        db, settings, kinds=[GENERATION_KIND], bundles={"fake": fake_bundle(tmp_path, FakeVideo(tmp_path))}
    )
    worker.beat_s = 0.05
    stop = asyncio.Event()
    run = asyncio.create_task(worker.run(stop=stop))

    async def row() -> beats.Beat | None:
        for _ in range(400):
            found = [b for b in listed(db) if b.worker_id == worker.worker_id]
            if found:
                return found[0]
            await asyncio.sleep(0.01)
        return None

    first = await row()
    assert first is not None
    assert first.capabilities == "studio.generation"  # the kinds it runs
    for _ in range(400):
        current = await row()
        assert current is not None
        if current.beat_at > first.beat_at:
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("the worker did not beat again")
    assert current.started_at == first.started_at

    stop.set()
    await asyncio.wait_for(run, timeout=30)

    assert [b for b in listed(db) if b.worker_id == worker.worker_id] == []
