"""``framecast batch aroll|broll-images|broll-footage|pipeline FILE``: many generations from TXT/CSV.

Exit codes: 0 every item succeeded; 1 some item failed (see failed.csv); 2 bad input or a refused
start (quota short without --force); 130 stopped with Ctrl-C (run the same command to resume).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import anyio
import typer
from rich.console import Console

from framecast.cli.context import open_database, run_async
from framecast.cli.costs import announce_cost
from framecast.cli.options import (
    ApiKeyOpt,
    AspectChoice,
    AspectOpt,
    ConcurrencyOpt,
    OutOpt,
    ProviderOpt,
)
from framecast.cli.progress import run_with_progress
from framecast.core.settings import get_settings
from framecast.jobs.worker import Worker
from framecast.providers.base import Aspect
from framecast.studio.batches import (
    BatchKind,
    credits_needed,
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
    plan.out_dir.mkdir(parents=True, exist_ok=True)

    async def main(stop: asyncio.Event) -> str:
        worker = Worker(
            db,
            settings,
            kinds=[GENERATION],
            providers=[chosen],
            concurrency=concurrency,
            api_key=api_key,
        )
        try:
            bundle = worker.bundles[chosen]
            if bundle.paid:
                done = await anyio.to_thread.run_sync(finished_keys, db, plan)
                need = credits_needed(plan, bundle.traits, skip_keys=done)
                await announce_cost(console, bundle, need, what="this batch", force=force)
            opened = await anyio.to_thread.run_sync(
                lambda: open_batch(db, plan, provider=chosen, max_attempts=settings.jobs.max_attempts)
            )
            verb = "resuming" if opened.resumed else "starting"
            console.print(
                f"{verb} {kind} batch {opened.batch_id}: {len(plan.items)} items, "
                f"{len(opened.done_keys)} already done, {chosen} provider -> {plan.out_dir}"
            )
            worker.batch_id = opened.batch_id
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
