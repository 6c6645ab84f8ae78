"""Batches: turn a TXT/CSV file into jobs, resume a batch in the same output folder, report results.

A batch is identified by its output folder and kind. Running the same command again finds the
batch: finished items are kept, items whose submission may have been charged are reconciled by the
job engine (never sent again blindly), failed items are retried, and items added to the file are
queued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from framecast.core.errors import InvalidInputError
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.transitions import reset_for_retry
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.providers.registry import ProviderTraits
from framecast.studio.batch_input import BatchFile, BatchItem, read_batch_file
from framecast.studio.batch_output import ResultRow, output_names, write_failed_csv, write_results_csv
from framecast.studio.item_state import item_state, needs_rerun
from framecast.studio.numbered_images import index_numbered_images, match_images
from framecast.studio.requests import request_to_json

BatchKind = Literal["aroll", "broll-images", "broll-footage", "pipeline"]
BATCH_KINDS: tuple[BatchKind, ...] = ("aroll", "broll-images", "broll-footage", "pipeline")


@dataclass(frozen=True)
class Step:
    """One job of an item: its request and the output file stems."""

    request: GenerationRequest
    stems: list[str]


@dataclass(frozen=True)
class PlannedItem:
    item: BatchItem
    steps: list[Step]  # pipeline: [image, video]; others: one step


@dataclass(frozen=True)
class BatchPlan:
    kind: BatchKind
    source: BatchFile
    items: list[PlannedItem]
    out_dir: Path
    # Stored with the batch: how it was planned (aspect and the images' absolute paths, so that it
    # can be planned again from any folder) and, for a re-run, ``rerun_of`` (the batch it repeats).
    options: dict[str, str | int | None] = field(default_factory=dict)

    @property
    def count_column(self) -> str:
        return self.source.count_column


def _stems(key: str, count: int, ext: str) -> list[str]:
    return [name[: -len(ext)] for name in output_names(key, count, ext)]


def plan_batch(
    kind: BatchKind,
    path: Path,
    *,
    out_dir: Path,
    aspect: Aspect,
    frame: Path | None = None,
    reference: Path | None = None,
    images_dir: Path | None = None,
) -> BatchPlan:
    """Read and validate the file and the images; raises ``InvalidInputError`` naming the problem."""
    column: Literal["number_of_videos", "number_of_images"] = (
        "number_of_images" if kind == "broll-images" else "number_of_videos"
    )
    for option, image in (("--frame", frame), ("--ref", reference)):
        if image is not None and not image.is_file():
            raise InvalidInputError(f"{option}: image not found: {image}")
    if images_dir is not None and not images_dir.is_dir():
        raise InvalidInputError(f"--images: not a folder: {images_dir}")
    source = read_batch_file(path, count_column=column)
    planned: list[PlannedItem] = []
    if kind == "aroll":
        if frame is None:
            raise InvalidInputError("A-roll needs --frame IMG: the start frame used for every prompt")
        for item in source.items:
            request = _request(Mode.FRAMES, item, aspect, start=frame)
            planned.append(PlannedItem(item, [Step(request, _stems(item.key, item.count, ".mp4"))]))
    elif kind == "broll-images":
        refs = (reference,) if reference else ()
        for item in source.items:
            request = _request(Mode.IMAGE, item, aspect, refs=refs)
            planned.append(PlannedItem(item, [Step(request, _stems(item.key, item.count, ".png"))]))
    elif kind == "broll-footage":
        if images_dir is None:
            raise InvalidInputError(
                "B-roll footage needs --images DIR with numbered images (1_x.jpg, 2.png, ...)"
            )
        pairs = match_images(list(source.items), index_numbered_images(images_dir))
        for item, image in pairs:
            request = _request(Mode.FRAMES, item, aspect, start=image)
            planned.append(PlannedItem(item, [Step(request, _stems(item.key, item.count, ".mp4"))]))
    elif kind == "pipeline":
        for item in source.items:
            image_aspect = item.aspect or aspect
            still = GenerationRequest(mode=Mode.IMAGE, prompt=item.prompt, aspect=image_aspect, count=1)
            # The start frame is filled in when the image job succeeds.
            video = _request(Mode.FRAMES, item, aspect, start=None)
            planned.append(
                PlannedItem(
                    item,
                    [
                        Step(still, [_stems(item.key, 1, ".png")[0] + "_frame"]),
                        Step(video, _stems(item.key, item.count, ".mp4")),
                    ],
                )
            )
    else:
        raise InvalidInputError(f"unknown batch kind {kind!r}; use one of {', '.join(BATCH_KINDS)}")
    for entry in planned:
        for step in entry.steps:
            if step.request.mode is Mode.FRAMES and step.request.start_image is None:
                continue  # pipeline video: validated once its frame exists
            try:
                step.request.validate()
            except InvalidInputError as exc:
                raise InvalidInputError(f"{path}, line {entry.item.line}: {exc}") from exc
    options: dict[str, str | int | None] = {
        "aspect": aspect.value,
        "frame": str(frame.resolve()) if frame else None,
        "reference": str(reference.resolve()) if reference else None,
        "images": str(images_dir.resolve()) if images_dir else None,
    }
    return BatchPlan(kind=kind, source=source, items=planned, out_dir=out_dir, options=options)


def _request(
    mode: Mode, item: BatchItem, aspect: Aspect, *, start: Path | None = None, refs: Sequence[Path] = ()
) -> GenerationRequest:
    chosen = item.aspect or aspect
    if mode.is_video and chosen is Aspect.SQUARE:
        chosen = Aspect.LANDSCAPE  # a square image row becomes landscape video, as GenAIPro clients do
    return GenerationRequest(
        mode=mode,
        prompt=item.prompt,
        aspect=chosen,
        count=item.count,
        start_image=start.resolve() if start else None,
        reference_images=tuple(r.resolve() for r in refs),
    )


def credits_needed(plan: BatchPlan, traits: ProviderTraits, skip_keys: frozenset[str] = frozenset()) -> int:
    """What the plan's items (those not in ``skip_keys``) cost on a provider with ``traits``."""
    return sum(
        traits.credits_for(step.request.mode, step.request.count)
        for entry in plan.items
        if entry.item.key not in skip_keys
        for step in entry.steps
    )


def dollars_needed(
    plan: BatchPlan, traits: ProviderTraits, skip_keys: frozenset[str] = frozenset()
) -> float | None:
    """An estimate in US dollars of the plan's items (those not in ``skip_keys``) on a provider that
    bills money; None for a provider priced in credits, or when some step has no known price."""
    total = 0.0
    for entry in plan.items:
        if entry.item.key in skip_keys:
            continue
        for step in entry.steps:
            request = step.request
            dollars = traits.dollars_for(
                request.mode, request.count, request.duration_seconds, request.resolution
            )
            if dollars is None:
                return None
            total += dollars
    return total


def batch_in_folder(session: Session, plan: BatchPlan, owner_id: int | None) -> Batch | None:
    """The newest batch an earlier run of ``plan`` by ``owner_id`` left in its folder, if any."""
    return session.scalars(select(Batch).where(_same_batch(plan, owner_id)).order_by(Batch.id.desc())).first()


def _same_batch(plan: BatchPlan, owner_id: int | None) -> ColumnElement[bool]:
    """The batches an earlier run of ``plan`` by ``owner_id`` left: same folder, kind and owner."""
    owner = Batch.owner_id.is_(None) if owner_id is None else Batch.owner_id == owner_id
    return and_(Batch.out_dir == str(plan.out_dir.resolve()), Batch.kind == plan.kind, owner)


def finished_keys(db: Database, plan: BatchPlan, *, owner_id: int | None = None) -> frozenset[str]:
    """Items of an earlier run into the same folder by the same owner that are already done.

    Nothing is changed. ``owner_id`` None means the batches made without an owner (the CLI's).
    """
    with db.session() as session:
        batch_id = session.scalar(
            select(Batch.id).where(_same_batch(plan, owner_id)).order_by(Batch.id.desc())
        )
        if batch_id is None:
            return frozenset()
        rows = session.execute(select(Job.item_key, Job.state).where(Job.batch_id == batch_id)).all()
    states: dict[str, set[str]] = {}
    for key, state in rows:
        states.setdefault(key or "", set()).add(state)
    return frozenset(k for k, s in states.items() if s == {JobState.SUCCEEDED.value})


@dataclass(frozen=True)
class OpenedBatch:
    batch_id: int
    resumed: bool
    done_keys: frozenset[str]
    queued: int


def open_batch(
    db: Database, plan: BatchPlan, *, provider: str, max_attempts: int, owner_id: int | None = None
) -> OpenedBatch:
    """Create the batch, or resume the one ``owner_id`` already has writing to ``plan.out_dir``.

    The batch and its jobs belong to ``owner_id`` (None: no owner, as the CLI runs them); a batch
    another owner left in the same folder is never resumed. Raises :class:`InvalidInputError` when
    the batch being resumed was made with another provider.
    """
    repo = JobRepository(db)
    out_dir = str(plan.out_dir.resolve())
    with db.session() as session:
        batch = batch_in_folder(session, plan, owner_id)
        resumed = batch is not None
        if batch is None:
            batch = Batch(
                owner_id=owner_id,
                kind=plan.kind,
                provider=provider,
                out_dir=out_dir,
                source_path=str(plan.source.path.resolve()),
                source_format=plan.source.format,
                options=dict(plan.options),
            )
            session.add(batch)
            session.flush()
        elif batch.provider != provider:
            raise InvalidInputError(
                f"{out_dir} holds a {plan.kind} batch made with the {batch.provider} provider; "
                "use another --out folder or the same --provider"
            )
        batch.paused = False
        existing: dict[str, list[Job]] = {}
        for job in session.scalars(select(Job).where(Job.batch_id == batch.id).order_by(Job.id)):
            existing.setdefault(job.item_key or "", []).append(job)
        done: set[str] = set()
        queued = 0
        for entry in plan.items:
            jobs = existing.get(entry.item.key)
            if jobs:
                if all(j.state == JobState.SUCCEEDED.value for j in jobs):
                    done.add(entry.item.key)
                    continue
                for job in jobs:
                    if job.state == JobState.PAUSED.value:
                        job.state = JobState.QUEUED.value
                    if job.state in (JobState.FAILED.value, JobState.CANCELLED.value):
                        reset_for_retry(session, job)
                        queued += 1
                continue
            parent_id: int | None = None
            for index, step in enumerate(entry.steps):
                parent_id = repo.enqueue(
                    JobSpec(
                        provider=provider,
                        mode=step.request.mode.value,
                        request=request_to_json(step.request, out_dir=Path(out_dir), stems=step.stems),
                        item_key=entry.item.key,
                        batch_id=batch.id,
                        parent_id=parent_id if index else None,
                        owner_id=owner_id,
                        max_attempts=max_attempts,
                        blocked=index > 0,
                    ),
                    session=session,
                )
                queued += 1
        return OpenedBatch(batch_id=batch.id, resumed=resumed, done_keys=frozenset(done), queued=queued)


@dataclass(frozen=True)
class BatchReport:
    rows: list[ResultRow]
    succeeded: int
    failed: int  # items that ended failed or cancelled (those in failed.csv)
    charged: int  # of those, items the provider failed after accepting them and charged for
    results_csv: Path
    failed_csv: Path | None

    @property
    def unfinished(self) -> int:
        """Items neither succeeded nor ended badly: still queued, running or being reconciled."""
        return len(self.rows) - self.succeeded - self.failed


def write_report(db: Database, plan: BatchPlan, batch_id: int) -> BatchReport:
    """Write ``results.csv`` and, when some item ended failed or cancelled, ``failed.csv``.

    ``results.csv`` gives every item's state by the one rule of ``studio/item_state.py``; an item
    the provider charged for and then failed says "charged by the provider" in its error.
    ``failed.csv`` holds only items that ended failed or cancelled — never one still queued,
    running or being reconciled, which re-running would pay for again.
    """
    with db.session() as session:
        jobs = list(session.scalars(select(Job).where(Job.batch_id == batch_id).order_by(Job.id)))
    by_key: dict[str, list[Job]] = {}
    for job in jobs:
        by_key.setdefault(job.item_key or "", []).append(job)
    rows: list[ResultRow] = []
    failed_items: list[BatchItem] = []
    charged = 0
    for entry in plan.items:
        item_jobs = by_key.get(entry.item.key, [])
        files = tuple(
            Path(o["path"]).name
            for j in item_jobs
            if j.state == JobState.SUCCEEDED.value
            for o in (j.outputs or [])
        )
        error: str | None
        if not item_jobs:
            status, error = "missing", "no job was created for this item"
        else:
            state = item_state([JobState(j.state) for j in item_jobs])
            bad = ended_badly(item_jobs)
            status, error = state.value, item_error(bad)
            if needs_rerun(state):
                failed_items.append(entry.item)
                charged += int(bad is not None and bad.charged)
        rows.append(
            ResultRow(key=entry.item.key, prompt=entry.item.prompt, status=status, files=files, error=error)
        )
    results = plan.out_dir / "results.csv"
    write_results_csv(results, rows)
    failed_path: Path | None = plan.out_dir / "failed.csv"
    assert failed_path is not None
    if failed_items:
        write_failed_csv(
            failed_path,
            failed_items,
            plan.count_column,
            include_image_number=plan.kind == "broll-footage",
        )
    else:
        failed_path.unlink(missing_ok=True)
        failed_path = None
    succeeded = sum(1 for r in rows if r.status == JobState.SUCCEEDED.value)
    return BatchReport(rows, succeeded, len(failed_items), charged, results, failed_path)


def ended_badly(jobs: Sequence[Job]) -> Job | None:
    """The item's first job that ended failed or cancelled, if any."""
    ended = (JobState.FAILED.value, JobState.CANCELLED.value)
    return next((job for job in jobs if job.state in ended), None)


def item_error(bad: Job | None) -> str | None:
    """The error an item shows (its :func:`ended_badly` job's), marked when it was charged."""
    if bad is None:
        return None
    message = bad.error_message or bad.state
    return f"charged by the provider: {message}" if bad.charged else message
