"""Run a worker over a set of jobs while drawing a progress bar from the jobs table."""

from __future__ import annotations

import asyncio
import contextlib

import anyio
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from framecast.jobs.repository import JobRepository
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker


def _summary(counts: dict[JobState, int]) -> str:
    order = [JobState.RUNNING, JobState.RECONCILING, JobState.QUEUED, JobState.BLOCKED, JobState.FAILED]
    parts = [f"{counts[s]} {s.value}" for s in order if counts.get(s)]
    if parts:
        return ", ".join(parts)
    return "done" if counts else "starting"


def _counts(repo: JobRepository, batch_id: int | None, job_ids: list[int] | None) -> dict[JobState, int]:
    if batch_id is not None:
        return repo.counts(batch_id)
    counts: dict[JobState, int] = {}
    for job_id in job_ids or []:
        state = JobState(repo.get(job_id).state)
        counts[state] = counts.get(state, 0) + 1
    return counts


async def run_with_progress(
    worker: Worker,
    *,
    stop: asyncio.Event,
    console: Console,
    label: str,
    batch_id: int | None = None,
    job_ids: list[int] | None = None,
) -> bool:
    """Run until every job in scope is finished; returns False when stopped early."""
    repo = worker.repo
    total = sum((await anyio.to_thread.run_sync(_counts, repo, batch_id, job_ids)).values())
    work = asyncio.create_task(worker.run(stop=stop, until_done=True))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=total, detail="")
        while not work.done():
            counts = await anyio.to_thread.run_sync(_counts, repo, batch_id, job_ids)
            finished = sum(n for s, n in counts.items() if s.is_terminal)
            bar.update(task, completed=finished, detail=_summary(counts))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(work), timeout=0.5)
        counts = await anyio.to_thread.run_sync(_counts, repo, batch_id, job_ids)
        bar.update(
            task, completed=sum(n for s, n in counts.items() if s.is_terminal), detail=_summary(counts)
        )
    await work
    return not stop.is_set() or all(
        s.is_terminal for s in (await anyio.to_thread.run_sync(_counts, repo, batch_id, job_ids))
    )
