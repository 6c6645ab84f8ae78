"""``framecast worker``: process the queue until stopped (Ctrl-C / SIGTERM stop cleanly)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from framecast.cli.context import open_database, run_async
from framecast.cli.options import ApiKeyOpt, ConcurrencyOpt, check_providers
from framecast.core.log_format import configure_logging
from framecast.core.settings import get_settings
from framecast.db.metric_totals import publishing
from framecast.jobs.kinds import kind_names
from framecast.jobs.worker import Worker
from framecast.studio import generation_kind, history_import_kind, zip_kind  # noqa: F401  (registers them)
from framecast.tutor import avatar_kind  # noqa: F401  (registers the Tutor's avatar render kind)

app = typer.Typer(help="Run a queue worker.")


@app.callback(invoke_without_command=True)
def worker(
    provider: Annotated[
        list[str] | None,
        typer.Option("--provider", callback=check_providers, help="Only these providers (repeatable)."),
    ] = None,
    concurrency: ConcurrencyOpt = None,
    api_key: ApiKeyOpt = None,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="Exit when the queue is empty.")] = False,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kinds", help="Only jobs of these kinds (repeatable); every registered kind by default."
        ),
    ] = None,
) -> None:
    """Claim and run jobs; any number of workers may share one database."""
    known = kind_names()
    unknown = [kind for kind in kinds or () if kind not in known]
    if unknown:
        raise typer.BadParameter(
            f"no such kind of job: {', '.join(unknown)} (this worker runs: {', '.join(known)})",
            param_hint="--kinds",
        )
    settings = get_settings()
    configure_logging(settings)
    db = open_database(settings)

    async def main(stop: asyncio.Event) -> None:
        runner = Worker(
            db, settings, kinds=kinds or known, providers=provider, concurrency=concurrency, api_key=api_key
        )
        logging.getLogger("framecast.worker").info("worker %s started", runner.worker_id)
        try:
            # Its claims and requests reach any server's /metrics through the database.
            async with publishing(db, settings.jobs.metrics_publish_s):
                await runner.run(stop=stop, until_done=until_idle)
        finally:
            await runner.aclose()

    run_async(main)
