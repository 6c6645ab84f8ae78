"""``framecast jobs list|show|cancel|retry``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from framecast.cli.context import open_database
from framecast.core.errors import AlreadySentError
from framecast.core.settings import get_settings
from framecast.jobs.control import JobControl
from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.providers import registry
from framecast.providers.base import Mode
from framecast.studio.pricing import number

app = typer.Typer(no_args_is_help=True, help="Inspect and steer the job queue.")
console = Console()


def _repo() -> JobRepository:
    return JobRepository(open_database())


def _control() -> JobControl:
    settings = get_settings()
    return JobControl(
        open_database(settings),
        label=lambda name: registry.label(name, settings),
        paid=lambda name: registry.may_charge(name, settings),
    )


@app.command("list")
def list_jobs(
    state: Annotated[list[JobState] | None, typer.Option("--state", help="Only jobs in this state.")] = None,
    batch: Annotated[int | None, typer.Option("--batch", help="Only jobs of this batch.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
) -> None:
    """The newest jobs first."""
    jobs = _repo().list_jobs(states=state, batch_id=batch, limit=limit)
    table = Table("id", "state", "provider", "mode", "item", "attempts", "progress", "error")
    for job in jobs:
        progress = job.progress_status or ""
        if job.progress_percent is not None:
            progress += f" {job.progress_percent}%"
        table.add_row(
            str(job.id),
            job.state,
            job.provider,
            job.mode,
            job.item_key or "-",
            str(job.attempts),
            progress,
            (job.error_message or "")[:60],
        )
    console.print(table)


@app.command()
def show(job_id: int) -> None:
    """Everything stored about one job, as JSON."""
    job = _repo().get(job_id)
    data = {column.name: getattr(job, column.name) for column in job.__table__.columns}
    typer.echo(json.dumps(data, indent=2, default=str))


@app.command()
def cancel(job_ids: list[int]) -> None:
    """Cancel jobs not yet sent to their provider. One already sent to a paid provider cannot be
    un-paid: it finishes, is charged and keeps its result (exit 1 when any was)."""
    control = _control()
    refused = False
    for job_id in job_ids:
        try:
            state = control.cancel(job_id)
        except AlreadySentError as exc:
            typer.echo(f"job {job_id}: {exc}", err=True)
            refused = True
            continue
        typer.echo(f"job {job_id}: {state.value}")
    if refused:
        raise typer.Exit(1)


@app.command()
def retry(job_ids: list[int]) -> None:
    """Put failed or cancelled jobs back in the queue (a paid one is paid for again)."""
    settings = get_settings()
    control = _control()
    repo = _repo()
    for job_id in job_ids:
        job = repo.get(job_id)
        control.retry(job_id)
        traits = (
            registry.traits(job.provider, settings) if job.provider in registry.provider_names() else None
        )
        cost = ""
        if traits is not None and traits.paid:
            credits = traits.credits_for(Mode(job.mode), int((job.request or {}).get("count") or 1))
            cost = f"; it costs {number(credits)} credit{'' if credits == 1 else 's'} on {traits.label} again"
            if job.charged:
                cost += " (the failed attempt was charged too)"
        typer.echo(f"job {job_id}: queued{cost}")
