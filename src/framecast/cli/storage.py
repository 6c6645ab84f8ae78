"""``framecast storage migrate --to s3://bucket/prefix``: copy every stored file from the configured
store (the data dir by default) to another, verify each by size and SHA-256, then switch the
records (``db/storage_migration.py``). Re-runnable: what already arrived is not copied again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from framecast.cli.context import open_database, run_async
from framecast.core.errors import StorageError
from framecast.core.settings import get_settings
from framecast.core.storage import open_store, store_for_url
from framecast.db.storage_migration import MigrationReport, migrate_storage

app = typer.Typer(no_args_is_help=True, help="Where files are kept: the data dir or S3.")


@app.command()
def migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="s3://bucket/prefix (endpoint, region and keys from FRAMECAST_STORAGE__*), or a folder",
        ),
    ],
    quiet: Annotated[bool, typer.Option("--quiet", help="only the summary")] = False,
) -> None:
    """Copy every file to the store at --to, verify it, and switch the records when all arrived."""
    settings = get_settings()
    source = open_store(settings)
    target = store_for_url(settings, to)
    if target.where == source.where:
        raise StorageError(f"{to} is the store in use already; nothing to copy")
    db = open_database(settings)

    async def run(_stop: asyncio.Event) -> MigrationReport:
        return await migrate_storage(
            db, Path(settings.data_dir), source, target, progress=(lambda _: None) if quiet else typer.echo
        )

    try:
        report = run_async(run)
    finally:
        db.dispose()
    typer.echo(
        f"{len(report.copied)} copied ({report.bytes_copied} bytes), {len(report.already_there)} already "
        f"there, {len(report.failed)} failed; {report.records_switched} records switched"
    )
    if not report.complete:
        raise StorageError(
            f"{len(report.failed)} files did not arrive in {target.where}, so no record was switched; "
            "run the command again to retry them"
        )
    typer.echo(f"every file is in {target.where}; set FRAMECAST_STORAGE__URL={to} and restart")
