"""Migration 0005 (reset links, stream tokens, revocable invitations) matches the models and undoes
cleanly; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from framecast.db import accounts
from framecast.db.base import Base
from framecast.db.migrate import alembic_config
from framecast.db.session import Database

TABLES = {
    accounts.Invite.__tablename__,
    accounts.LoginAttempt.__tablename__,
    accounts.PasswordReset.__tablename__,
    accounts.StreamToken.__tablename__,
}


def _table_of(diff: Any) -> str | None:
    """The table a diff from ``compare_metadata`` is about (diffs are tuples, or lists of them)."""
    first = diff[0] if isinstance(diff, list) else diff
    for part in first[1:]:
        if isinstance(part, sa.Table):
            return part.name
        table = getattr(part, "table", None)
        if isinstance(table, sa.Table):
            return table.name
        if isinstance(part, str) and part in TABLES:
            return part
    return None


def test_the_accounts_tables_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert [diff for diff in diffs if _table_of(diff) in TABLES] == []


def test_0005_downgrades_and_upgrades_again(database_url: str) -> None:
    config = alembic_config(database_url)

    command.downgrade(config, "0004")
    engine = sa.create_engine(database_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        assert not {"password_resets", "stream_tokens"} & names
        assert "revoked_at" not in {c["name"] for c in sa.inspect(engine).get_columns("invites")}
    finally:
        engine.dispose()
    command.upgrade(config, "head")
    engine = sa.create_engine(database_url)
    try:
        assert {"password_resets", "stream_tokens"} <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
