import sqlalchemy as sa

from framecast.db.session import Database


def test_migrations_create_the_studio_tables(db: Database) -> None:
    names = set(sa.inspect(db.engine).get_table_names())
    assert {"batches", "jobs", "provider_generations"} <= names
