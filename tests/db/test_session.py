"""Engines: a single statement commits by itself; a connection the server closed is replaced before use."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from framecast.db.models import Job
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository, JobSpec


def test_a_single_statement_commits_by_itself_and_its_connection_goes_back_to_transactions(
    db: Database,
) -> None:
    job_id = JobRepository(db).enqueue(JobSpec(provider="local", mode="noop", request={}))
    with db.single_statement() as conn:
        conn.execute(sa.update(Job).where(Job.id == job_id).values(priority=3))
    with db.session() as session:
        assert session.scalar(sa.select(Job.priority).where(Job.id == job_id)) == 3
    with pytest.raises(RuntimeError):
        _change_then_fail(db, job_id)
    with db.session() as session:
        assert session.scalar(sa.select(Job.priority).where(Job.id == job_id)) == 3


def _change_then_fail(db: Database, job_id: int) -> None:
    with db.session() as session:
        session.execute(sa.update(Job).where(Job.id == job_id).values(priority=9))
        raise RuntimeError("roll back")


@pytest.mark.postgres
def test_a_pooled_connection_the_server_closed_is_replaced_before_its_next_use(postgres_url: str) -> None:
    db = Database(postgres_url)
    admin = sa.create_engine(postgres_url)
    try:
        with db.session() as session:
            pid = session.scalar(sa.text("SELECT pg_backend_pid()"))
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.2)  # the server's goodbye reaches the pooled connection's socket
        # Used again at once (no idle time to prompt a ping): the closed socket does.
        with db.session() as session:
            assert session.scalar(sa.text("SELECT pg_backend_pid()")) != pid
    finally:
        admin.dispose()
        db.dispose()
