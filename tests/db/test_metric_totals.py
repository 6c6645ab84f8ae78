"""Counters and histograms published by every process and summed by any scrape (``db/metric_totals.py``);
migration 0013's tables match the models and undo cleanly; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update

from framecast.core import metrics
from framecast.core.metrics import Registry
from framecast.db.base import Base, utcnow
from framecast.db.metric_totals import FORGET_S, RETIRED, ThisProcess, publishing, this_process
from framecast.db.migrate import alembic_config
from framecast.db.models import MetricTotal
from framecast.db.session import Database
from tests.metrics_text import parse, value

# Migration 0013's tables: these totals, and the request windows of jobs/shared_window.py.
TABLES = {"metric_totals", "request_windows", "request_window_places"}


def a_process() -> tuple[Registry, ThisProcess]:
    """A process of its own: a registry declaring Framecast's kind of counter and histogram."""
    registry = Registry()
    registry.counter("demo_claims_total", "Claims.", ("provider",))
    registry.histogram("demo_turn_seconds", "Turns.", ("kind",), buckets=(0.1, 1.0))
    return registry, ThisProcess(registry)


def scraped(registry: Registry, process: ThisProcess, db: Database) -> dict[str, float]:
    registry.absorb(process.others(db))
    families = parse(registry.render())
    return {
        "claims": value(families, "demo_claims_total", provider="genaipro") or 0.0,
        "turns": value(families, "demo_turn_seconds_count", kind="text") or 0.0,
        "fast": value(families, "demo_turn_seconds_bucket", kind="text", le="0.1") or 0.0,
        "sum": value(families, "demo_turn_seconds_sum", kind="text") or 0.0,
    }


def test_a_scrape_adds_what_every_other_process_published_to_its_own_counts(db: Database) -> None:
    worker_a, publisher_a = a_process()
    worker_b, publisher_b = a_process()
    server, server_process = a_process()
    worker_a.counter("demo_claims_total", "Claims.", ("provider",)).inc(3, provider="genaipro")
    worker_b.counter("demo_claims_total", "Claims.", ("provider",)).inc(2, provider="genaipro")
    server.counter("demo_claims_total", "Claims.", ("provider",)).inc(provider="genaipro")
    turns = worker_b.histogram("demo_turn_seconds", "Turns.", ("kind",), buckets=(0.1, 1.0))
    turns.observe(0.05, kind="text")
    turns.observe(0.5, kind="text")
    server.histogram("demo_turn_seconds", "Turns.", ("kind",), buckets=(0.1, 1.0)).observe(2.0, kind="text")

    publisher_a.publish(db)
    publisher_b.publish(db)
    server_process.publish(db)  # its own rows are not counted twice

    assert scraped(server, server_process, db) == {"claims": 6, "turns": 3, "fast": 1, "sum": 2.55}


def test_a_process_that_stopped_stays_counted_and_a_restart_adds_a_row_of_its_own(db: Database) -> None:
    server, server_process = a_process()
    first, first_process = a_process()
    first.counter("demo_claims_total", "Claims.", ("provider",)).inc(5, provider="genaipro")
    first_process.publish(db)
    before = scraped(server, server_process, db)["claims"]

    restarted, restarted_process = a_process()  # the same worker started again: counting from 0
    restarted.counter("demo_claims_total", "Claims.", ("provider",)).inc(provider="genaipro")
    restarted_process.publish(db)

    assert restarted_process.process_id(db) != first_process.process_id(db)
    assert (before, scraped(server, server_process, db)["claims"]) == (5, 6)


def test_a_publication_replaces_the_processes_rows_with_its_growing_totals(db: Database) -> None:
    server, server_process = a_process()
    worker, worker_process = a_process()
    claims = worker.counter("demo_claims_total", "Claims.", ("provider",))
    seen = []
    for _ in range(3):
        claims.inc(provider="genaipro")
        worker_process.publish(db)
        seen.append(scraped(server, server_process, db)["claims"])

    assert seen == [1, 2, 3]


def test_rows_of_processes_long_gone_are_folded_into_the_retired_rows_and_still_counted(db: Database) -> None:
    server, server_process = a_process()
    for count in (4, 3):
        gone, gone_process = a_process()
        gone.counter("demo_claims_total", "Claims.", ("provider",)).inc(count, provider="genaipro")
        gone_process.publish(db)
    with db.session() as session:
        session.execute(update(MetricTotal).values(updated_at=utcnow() - timedelta(seconds=FORGET_S + 60)))

    server_process.publish(db)  # any publication folds them

    with db.session() as session:
        processes = set(session.scalars(sa.select(MetricTotal.process)))
    assert processes == {RETIRED}  # the server has counted nothing yet: no rows of its own
    assert scraped(server, server_process, db)["claims"] == 7


def test_a_process_folded_while_still_alive_does_not_count_twice(db: Database) -> None:
    server, server_process = a_process()
    paused, paused_process = a_process()
    claims = paused.counter("demo_claims_total", "Claims.", ("provider",))
    claims.inc(4, provider="genaipro")
    paused_process.publish(db)
    with db.session() as session:
        session.execute(update(MetricTotal).values(updated_at=utcnow() - timedelta(seconds=FORGET_S + 60)))
    server_process.publish(db)  # folds the paused process's rows
    old_id = paused_process.process_id(db)

    claims.inc(provider="genaipro")  # it wakes up and counts on
    paused_process.publish(db)

    assert paused_process.process_id(db) != old_id
    assert scraped(server, server_process, db)["claims"] == 5


def test_the_tables_of_0013_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert [diff for diff in diffs if any(name in repr(diff) for name in TABLES)] == []


def test_0013_downgrades_and_upgrades_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "0013-1")
    engine = sa.create_engine(database_url)
    try:
        assert not TABLES & set(sa.inspect(engine).get_table_names())
        command.upgrade(config, "head")
        assert set(sa.inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


async def test_a_process_publishes_while_it_runs_and_once_more_when_it_stops(db: Database) -> None:
    claims = metrics.REGISTRY.counter(metrics.CLAIMS.name, metrics.CLAIMS.help, ("provider",))
    claims.inc(provider="published-while-running")

    def published() -> float:
        with db.session() as session:
            rows = session.scalars(
                sa.select(MetricTotal.value).where(
                    MetricTotal.process == this_process().process_id(db),
                    MetricTotal.labels == '["published-while-running"]',
                )
            ).all()
        return sum(rows)

    async with publishing(db, 0.02):
        for _ in range(200):
            await asyncio.sleep(0.02)
            if published():
                break
        while_running = published()
        claims.inc(provider="published-while-running")

    total = claims.value(provider="published-while-running")
    assert (while_running, published()) == (total - 1, total)
