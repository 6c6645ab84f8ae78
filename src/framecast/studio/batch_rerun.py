"""Re-running a batch on another provider: rehearse on the free offline renderer, then pay once.

A re-run is a new batch with the same items under the same ids (the TXT first lines, the CSV
``id`` column), so its files carry the names the rehearsal's did. Its items come from the stored
batch file and options (kind, aspect, frame, reference, numbered images) through
:func:`~framecast.studio.batches.plan_batch`, and it opens through
:func:`~framecast.studio.batches.open_batch`, exactly as a batch started by hand; its options
record ``rerun_of``, the batch it repeats.

It writes to ``<the rehearsal's folder>/<provider>/`` unless another folder is given, so the
rehearsal's files and CSVs stay as they were. Re-running again on the same provider into the same
folder resumes the re-run (finished items kept, nothing paid twice). Re-running on the batch's own
provider is refused: that is resuming it, which keeps what already finished.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import select

from framecast.core.errors import BatchInputError, InvalidInputError, NotFoundError
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.providers.base import Aspect
from framecast.studio.batch_output import safe_stem
from framecast.studio.batches import (
    BATCH_KINDS,
    BatchPlan,
    OpenedBatch,
    batch_in_folder,
    open_batch,
    plan_batch,
)

RERUN_OF = "rerun_of"
# The images a batch was planned with, as its options name them, and what a person calls them.
_IMAGES = (("frame", "start frame"), ("reference", "reference image"), ("images", "numbered images folder"))


def rerun_folder(batch: Batch, provider: str) -> Path:
    """Where a re-run of ``batch`` on ``provider`` writes by default: a subfolder named after it."""
    return Path(batch.out_dir) / safe_stem(provider)


def rerun_of(batch: Batch) -> int | None:
    """The batch ``batch`` re-runs, or None for a batch started from its file."""
    value = (batch.options or {}).get(RERUN_OF)
    return value if isinstance(value, int) else None


def find_batch(db: Database, batch_id: int, *, owner_id: int | None) -> Batch:
    """The batch, detached, if ``owner_id`` owns it (None: a batch made without an owner, as the
    CLI makes them); raises :class:`NotFoundError` otherwise, exactly as for a missing one."""
    with db.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.owner_id != owner_id:
            raise NotFoundError(f"no batch {batch_id}")
        session.expunge(batch)
        return batch


def plan_rerun(batch: Batch, provider: str, *, out_dir: Path | None = None) -> BatchPlan:
    """The items of ``batch`` planned again for ``provider``, writing to ``out_dir`` (default
    :func:`rerun_folder`), with ``rerun_of`` in the options.

    Raises :class:`InvalidInputError` when ``provider`` is the batch's own (that is resuming it),
    when its batch file or an image it used is gone, or when the file no longer reads as a valid
    batch (:class:`BatchInputError`, naming the file by its name and the line).
    """
    if provider == batch.provider:
        raise InvalidInputError(
            f"batch {batch.id} already ran on {provider}; running it again there is resuming it, "
            "which keeps what finished and retries what failed. Choose another provider to re-run it"
        )
    kind = next((known for known in BATCH_KINDS if known == batch.kind), None)
    if kind is None:
        raise InvalidInputError(f"batch {batch.id} is of an unknown kind {batch.kind!r}")
    options = batch.options or {}
    images: dict[str, Path | None] = {}
    for key, what in _IMAGES:
        value = options.get(key)
        images[key] = Path(str(value)) if value else None
        path = images[key]
        if path is not None and not path.exists():
            raise InvalidInputError(
                f"batch {batch.id} cannot be re-run: its {what} {path.name} is no longer there"
            )
    source = Path(batch.source_path)
    if not source.is_file():
        raise InvalidInputError(
            f"batch {batch.id} cannot be re-run: its batch file {source.name} is no longer there"
        )
    target = (out_dir or rerun_folder(batch, provider)).resolve()
    try:
        plan = plan_batch(
            kind,
            source,
            out_dir=target,
            aspect=Aspect(str(options.get("aspect") or Aspect.LANDSCAPE.value)),
            frame=images["frame"],
            reference=images["reference"],
            images_dir=images["images"],
        )
    except BatchInputError as exc:
        raise BatchInputError(source.name, exc.line, exc.problem) from None
    return dataclasses.replace(plan, options={**plan.options, RERUN_OF: batch.id})


def check_same_items(db: Database, batch: Batch, plan: BatchPlan) -> None:
    """Refuse a re-run whose batch file no longer lists what ``batch`` ran: every id with the same
    prompt and count. Raises :class:`InvalidInputError` naming the first difference."""
    with db.session() as session:
        jobs = list(session.scalars(select(Job).where(Job.batch_id == batch.id).order_by(Job.id)))
    ran: dict[str, tuple[str, int]] = {}
    for job in jobs:
        request = job.request or {}
        key = job.item_key or ""
        prompt = ran[key][0] if key in ran else str(request.get("prompt", ""))
        # The last job's count: a pipeline's image is one still, its video has the item's count.
        ran[key] = (prompt, int(request.get("count") or 1))
    name = Path(batch.source_path).name
    changed = f"{name} changed since batch {batch.id} ran"
    hint = "; start it as a new batch instead"
    planned = {entry.item.key: entry for entry in plan.items}
    for key in ran:
        if key not in planned:
            raise InvalidInputError(f"{changed}: item {key!r} is no longer in it{hint}")
    for key, entry in planned.items():
        if key not in ran:
            raise InvalidInputError(f"{changed}: item {key!r} is new{hint}")
        last = entry.steps[-1].request
        if ran[key] != (entry.item.prompt, last.count):
            raise InvalidInputError(f"{changed}: item {key!r} has another prompt or count{hint}")


def open_rerun(
    db: Database,
    batch: Batch,
    plan: BatchPlan,
    *,
    provider: str,
    max_attempts: int,
    owner_id: int | None = None,
) -> OpenedBatch:
    """Create the re-run of ``batch`` planned by :func:`plan_rerun`, or resume it.

    Raises :class:`InvalidInputError` when the items changed (:func:`check_same_items`), or when
    the folder already holds a batch that is not a re-run of ``batch`` (or one made with another
    provider, as :func:`open_batch` refuses).
    """
    check_same_items(db, batch, plan)
    with db.session() as session:
        there = batch_in_folder(session, plan, owner_id)
        if there is not None and rerun_of(there) != batch.id:
            raise InvalidInputError(
                f"{plan.out_dir} holds batch {there.id}, which is not a re-run of batch {batch.id}; "
                "choose another folder"
            )
    return open_batch(db, plan, provider=provider, max_attempts=max_attempts, owner_id=owner_id)
