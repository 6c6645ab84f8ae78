"""Migration 0011 (classes, their learners and invitations, a role on users) matches the models,
makes every existing account a learner, and undoes cleanly; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from framecast.db import classes
from framecast.db.base import Base
from framecast.db.migrate import alembic_config
from framecast.db.session import Database

TABLES = {
    classes.TutorClass.__tablename__,
    classes.ClassMember.__tablename__,
    classes.ClassInvite.__tablename__,
}


def _about_classes(diff: Any) -> bool:
    """Whether a diff from ``compare_metadata`` concerns these tables or ``users.role``."""
    first = diff[0] if isinstance(diff, list) else diff
    for part in first[1:]:
        if isinstance(part, str):
            if part in TABLES or part == "role":
                return True
            continue
        if isinstance(part, sa.Column) and part.name == "role":
            return True
        table = part if isinstance(part, sa.Table) else getattr(part, "table", None)
        if isinstance(table, sa.Table) and table.name in TABLES:
            return True
    return False


def test_the_class_tables_and_the_role_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert [diff for diff in diffs if _about_classes(diff)] == []


def test_there_is_one_head(database_url: str) -> None:
    assert len(ScriptDirectory.from_config(alembic_config(database_url)).get_heads()) == 1


def test_0011_makes_existing_accounts_learners_and_downgrades_and_upgrades_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0010")
    engine = sa.create_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        assert not TABLES & set(inspector.get_table_names())
        assert "role" not in {c["name"] for c in inspector.get_columns("users")}
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users"
                    " (email, name, password_hash, is_admin, disabled, preferences, created_at) VALUES"
                    " ('old@example.com', 'Old', 'x', true, false, '{}', CURRENT_TIMESTAMP)"
                )
            )
        command.upgrade(config, "head")
        assert set(sa.inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT role, is_admin FROM users WHERE email = 'old@example.com'")
            ).one()
    finally:
        engine.dispose()
    assert (row[0], bool(row[1])) == ("learner", True)
