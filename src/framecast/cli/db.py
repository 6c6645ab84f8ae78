"""``framecast db upgrade``: bring the configured database to the newest schema."""

from __future__ import annotations

import typer

from framecast.core.settings import get_settings
from framecast.db.migrate import upgrade as run_upgrade

app = typer.Typer(no_args_is_help=True, help="Database maintenance.")


@app.command()
def upgrade() -> None:
    """Apply every Alembic migration (SQLite file in the data dir, or FRAMECAST_DATABASE_URL)."""
    settings = get_settings()
    run_upgrade(settings.database_url_resolved)
    typer.echo(f"database is up to date: {settings.database_url_resolved}")
