"""``framecast batch aroll|broll-images|broll-footage|pipeline FILE``: many generations from TXT/CSV;
``framecast batch rerun BATCH --provider P``: the same items again on another provider.

Exit codes: 0 every item succeeded; 1 some item failed (see failed.csv); 2 bad input or a refused
start (quota short without --force); 130 stopped with Ctrl-C (run the same command to resume).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import anyio
import typer
from rich.console import Console
from sqlalchemy import select

from framecast.cli.context import open_database, run_async
from framecast.cli.costs import announce_cost, announce_dollars
from framecast.cli.options import (
    ApiKeyOpt,
    AspectChoice,
    AspectOpt,
    ConcurrencyOpt,
    OutOpt,
    ProviderOpt,
    check_provider,
)
from framecast.cli.progress import run_with_progress
from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.core.settings import get_settings
from framecast.db.metric_totals import publishing
from framecast.db.models import Batch
from framecast.db.session import Database
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.providers.base import Aspect
from framecast.providers.registry import BuildContext, ProviderBundle
from framecast.studio.batch_rerun import check_same_items, open_rerun, plan_rerun
from framecast.studio.batches import (
    BatchKind,
    BatchPlan,
    OpenedBatch,
    credits_needed,
    dollars_needed,
    finished_keys,
    open_batch,
    plan_batch,
    write_report,
)
from framecast.studio.generation_kind import KIND as GENERATION

app = typer.Typer(
    no_args_is_help=True, help="Run a batch from a TXT or CSV file (re-run the same command to resume)."
)
console = Console(stderr=True)

FileArg = Annotated[Path, typer.Argument(help="TXT (blank-line blocks, first line the id) or CSV file.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Start even when the quota looks too small.")]


def _run_batch(
    kind: BatchKind,
    file: Path,
    *,
    out: Path,
    aspect: AspectChoice,
    provider: str | None,
    concurrency: int | None,
    force: bool,
    api_key: str | None,
    frame: Path | None = None,
    reference: Path | None = None,
    images: Path | None = None,
) -> None:
    settings = get_settings()
    chosen = provider or settings.default_provider
    plan = plan_batch(
        kind,
        file,
        out_dir=out.resolve(),
        aspect=Aspect(aspect.value),
        frame=frame,
        reference=reference,
        images_dir=images,
    )
    db = open_database(settings)
    _run_plan(
        db,
        plan,
        provider=chosen,
        concurrency=concurrency,
        force=force,
        api_key=api_key,
        open_it=lambda: open_batch(db, plan, provider=chosen, max_attempts=settings.jobs.max_attempts),
    )


async def _announce(db: Database, plan: BatchPlan, bundle: ProviderBundle, *, what: str, force: bool) -> int:
    """Print what the plan's unfinished items cost on ``bundle``'s provider, in its own unit
    (credits, or an estimate in dollars); answers how many items will be sent."""
    done = await anyio.to_thread.run_sync(finished_keys, db, plan)
    if bundle.paid:
        need = credits_needed(plan, bundle.traits, skip_keys=done)
        await announce_cost(console, bundle, need, what=what, force=force)
        dollars = dollars_needed(plan, bundle.traits, skip_keys=done)
        announce_dollars(console, bundle.traits, dollars, what=what)
    return sum(1 for entry in plan.items if entry.item.key not in done)


def _run_plan(
    db: Database,
    plan: BatchPlan,
    *,
    provider: str,
    concurrency: int | None,
    force: bool,
    api_key: str | None,
    open_it: Callable[[], OpenedBatch],
    announce: bool = True,
) -> None:
    """Open the batch (``open_it``), run it to the end with a progress display, write its report.

    ``announce``: print the cost first (False when the caller already did and asked)."""
    settings = get_settings()
    kind = plan.kind
    plan.out_dir.mkdir(parents=True, exist_ok=True)

    async def main(stop: asyncio.Event) -> str:
        worker = Worker(
            db,
            settings,
            kinds=[GENERATION],
            providers=[provider],
            concurrency=concurrency,
            api_key=api_key,
        )
        try:
            if announce:
                await _announce(db, plan, worker.bundles[provider], what="this batch", force=force)
            opened = await anyio.to_thread.run_sync(open_it)
            verb = "resuming" if opened.resumed else "starting"
            console.print(
                f"{verb} {kind} batch {opened.batch_id}: {len(plan.items)} items, "
                f"{len(opened.done_keys)} already done, {provider} provider -> {plan.out_dir}"
            )
            worker.batch_id = opened.batch_id
            # Its claims and requests reach any server's /metrics through the database.
            async with publishing(db, settings.jobs.metrics_publish_s):
                ok = await run_with_progress(
                    worker, stop=stop, console=console, label=kind, batch_id=opened.batch_id
                )
            report = await anyio.to_thread.run_sync(write_report, db, plan, opened.batch_id)
            summary = f"{report.succeeded} succeeded, {report.failed} failed or cancelled"
            if report.unfinished:
                summary += f", {report.unfinished} not finished"
            console.print(f"{summary}; {report.results_csv}")
            if report.charged:
                console.print(
                    f"{report.charged} failed after the provider accepted them and were charged; "
                    "re-running them pays again"
                )
            if report.failed_csv is not None:
                console.print(f"failed items: {report.failed_csv} (re-runnable as a batch file)")
            if not ok:
                console.print("stopped; run the same command again to resume (nothing will be paid twice)")
                return "stopped"
            return "ok" if report.failed == 0 and report.unfinished == 0 else "failed"
        finally:
            await worker.aclose()

    outcome = run_async(main)
    if outcome == "stopped":
        raise typer.Exit(130)
    if outcome == "failed":
        raise typer.Exit(1)


@app.command()
def aroll(
    file: FileArg,
    out: OutOpt,
    frame: Annotated[Path, typer.Option("--frame", help="The start frame for every prompt.")],
    aspect: AspectOpt = AspectChoice.landscape,
    provider: ProviderOpt = None,
    concurrency: ConcurrencyOpt = None,
    force: ForceOpt = False,
    api_key: ApiKeyOpt = None,
) -> None:
    """A-roll: one frame x many prompts -> <id>.mp4."""
    _run_batch(
        "aroll",
        file,
        out=out,
        aspect=aspect,
        provider=provider,
        concurrency=concurrency,
        force=force,
        api_key=api_key,
        frame=frame,
    )


@app.command("broll-images")
def broll_images(
    file: FileArg,
    out: OutOpt,
    ref: Annotated[
        Path | None, typer.Option("--ref", help="Optional reference image for every prompt.")
    ] = None,
    aspect: AspectOpt = AspectChoice.landscape,
    provider: ProviderOpt = None,
    concurrency: ConcurrencyOpt = None,
    force: ForceOpt = False,
    api_key: ApiKeyOpt = None,
) -> None:
    """B-roll images: many prompts -> <id>.png."""
    _run_batch(
        "broll-images",
        file,
        out=out,
        aspect=aspect,
        provider=provider,
        concurrency=concurrency,
        force=force,
        api_key=api_key,
        reference=ref,
    )


@app.command("broll-footage")
def broll_footage(
    file: FileArg,
    out: OutOpt,
    images: Annotated[
        Path, typer.Option("--images", help="Folder of numbered images (1_x.jpg, 2.png, ...).")
    ],
    aspect: AspectOpt = AspectChoice.landscape,
    provider: ProviderOpt = None,
    concurrency: ConcurrencyOpt = None,
    force: ForceOpt = False,
    api_key: ApiKeyOpt = None,
) -> None:
    """B-roll footage: numbered image i + prompt i -> <id>.mp4."""
    _run_batch(
        "broll-footage",
        file,
        out=out,
        aspect=aspect,
        provider=provider,
        concurrency=concurrency,
        force=force,
        api_key=api_key,
        images=images,
    )


@app.command()
def pipeline(
    file: FileArg,
    out: OutOpt,
    aspect: AspectOpt = AspectChoice.landscape,
    provider: ProviderOpt = None,
    concurrency: ConcurrencyOpt = None,
    force: ForceOpt = False,
    api_key: ApiKeyOpt = None,
) -> None:
    """Pipeline: prompt -> image -> video from that image."""
    _run_batch(
        "pipeline",
        file,
        out=out,
        aspect=aspect,
        provider=provider,
        concurrency=concurrency,
        force=force,
        api_key=api_key,
    )


@app.command()
def rerun(
    batch: Annotated[
        str, typer.Argument(help="The batch to re-run: its id, or the folder it wrote to (--out).")
    ],
    provider: Annotated[
        str,
        typer.Option(
            "--provider",
            callback=check_provider,
            help=f"Where to run it now: {', '.join(registry.provider_names())}.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", file_okay=False, help="Folder for the results (default: <its folder>/<provider>)."
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Send without asking (the cost is still printed).")
    ] = False,
    concurrency: ConcurrencyOpt = None,
    force: ForceOpt = False,
    api_key: ApiKeyOpt = None,
) -> None:
    """Re-run a batch (a rehearsal on offline) on another provider, keeping its item ids.

    The items are read again from the batch's file with the images it used; the cost is printed and
    confirmed before anything is sent. Run it again to resume the re-run."""
    settings = get_settings()
    db = open_database(settings)
    source = _cli_batch(db, batch)
    plan = plan_rerun(source, provider, out_dir=out.resolve() if out is not None else None)
    check_same_items(db, source, plan)
    label = registry.label(provider, settings)
    console.print(
        f"re-running {source.kind} batch {source.id} ({len(plan.items)} items, made on "
        f"{source.provider}) on {label} with the same ids -> {plan.out_dir}"
    )

    async def quote(_: asyncio.Event) -> tuple[bool, int]:
        context = BuildContext(
            settings=settings,
            work_dir=Path(settings.data_dir) / "work",
            api_key=api_key,
            concurrency=concurrency,
        )
        bundle = registry.build(provider, context)
        try:
            sending = await _announce(db, plan, bundle, what="this re-run", force=force)
            return bundle.paid, sending
        finally:
            await bundle.aclose()

    paid, sending = run_async(quote)
    if paid and sending and not yes:
        try:
            confirmed = typer.confirm(f"Send {sending} item{'' if sending == 1 else 's'} to {label}?")
        except typer.Abort:
            confirmed = False  # no terminal to ask on (or Ctrl-C)
        if not confirmed:
            raise InvalidInputError(
                "not confirmed; nothing was sent (pass --yes to confirm without a prompt)"
            )
    _run_plan(
        db,
        plan,
        provider=provider,
        concurrency=concurrency,
        force=force,
        api_key=api_key,
        open_it=lambda: open_rerun(
            db, source, plan, provider=provider, max_attempts=settings.jobs.max_attempts
        ),
        announce=False,
    )


def _cli_batch(db: Database, value: str) -> Batch:
    """The batch ``value`` names: a folder a batch of the command line wrote to (its newest), or a
    batch id. Raises :class:`NotFoundError`, or :class:`InvalidInputError` for a Studio user's batch
    (re-run it from its page, with that user's key)."""
    with db.session() as session:
        folder = Path(value)
        if folder.is_dir():
            found = session.scalars(
                select(Batch)
                .where(Batch.out_dir == str(folder.resolve()), Batch.owner_id.is_(None))
                .order_by(Batch.id.desc())
            ).first()
            if found is None:
                raise NotFoundError(f"no batch of the command line wrote to {folder}")
        elif value.isdigit():
            found = session.get(Batch, int(value))
            if found is None:
                raise NotFoundError(f"no batch {value}")
        else:
            raise InvalidInputError(f"{value!r} is neither a batch id nor a folder a batch wrote to")
        if found.owner_id is not None:
            raise InvalidInputError(
                f"batch {found.id} was started in the Studio; re-run it from its page there"
            )
        session.expunge(found)
        return found
