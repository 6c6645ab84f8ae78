"""Claiming ready jobs under a lease, in as few statements as the claim's rules allow.

A claim is a compare-and-set: a job is taken only by the worker whose UPDATE matched it while it was
still claimable (``state`` the one asked for, no live lease), so two workers never hold one job.
It reads back only the columns a worker needs (:class:`ClaimedJob`), as core SQL, not ORM rows.

Two shapes, the same SQL on PostgreSQL and SQLite:

- **One statement** when no user's cap can hold a job back (a claim of kinds other than Studio
  generations, or of RECONCILING jobs)::

      WITH candidates AS MATERIALIZED (
          SELECT id FROM jobs WHERE <ready> ORDER BY priority DESC, id LIMIT :n
          FOR UPDATE SKIP LOCKED)                  -- PostgreSQL; SQLite's writers take turns
      UPDATE jobs SET state = ..., lease_owner = ..., lease_expires_at = ...
      WHERE id IN (SELECT id FROM candidates) AND <still claimable> RETURNING <ClaimedJob's columns>

  ``MATERIALIZED`` makes the locking query run once: written as ``id IN (SELECT … LIMIT n FOR UPDATE
  SKIP LOCKED)`` PostgreSQL may run it again for each row (a nested loop), and a rerun skips the
  rows it has just locked and takes others, past ``n``. On PostgreSQL the statement runs alone in
  autocommit (:meth:`~framecast.db.session.Database.single_statement`): one round trip.
- **Two statements in a transaction** when Studio generations may be claimed: a user's
  ``concurrency`` preference caps how many of their generations run at once (on any worker), so the
  candidates are read (locked), the capped users' room counted, then the chosen ones updated.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Update,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)

from framecast.db.base import utcnow
from framecast.db.models import GENERATION_KIND, Batch, Job
from framecast.db.session import Database
from framecast.jobs.states import JobState

JOBS = Job.metadata.tables[Job.__tablename__]  # the Table (``Job.__table__`` is typed a FromClause)
BATCHES = Batch.metadata.tables[Batch.__tablename__]


@dataclass(frozen=True)
class ClaimedJob:
    """A snapshot of a job a worker now holds."""

    id: int
    state: JobState
    owner_id: int | None
    provider: str
    mode: str
    request: dict[str, Any]
    attempts: int
    max_attempts: int
    submitted_at: datetime | None
    reconcile_since: datetime | None
    provider_ids: tuple[str, ...]
    outputs: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    kind: str = GENERATION_KIND


# What a claim reads back: ClaimedJob's fields, and the priority to hand the jobs back in order.
_RETURNED = (
    JOBS.c.id,
    JOBS.c.state,
    JOBS.c.owner_id,
    JOBS.c.provider,
    JOBS.c.mode,
    JOBS.c.request,
    JOBS.c.attempts,
    JOBS.c.max_attempts,
    JOBS.c.submitted_at,
    JOBS.c.reconcile_since,
    JOBS.c.provider_ids,
    JOBS.c.outputs,
    JOBS.c.kind,
    JOBS.c.priority,
)


def _claimed(row: Row[Any]) -> ClaimedJob:
    return ClaimedJob(
        id=row.id,
        state=JobState(row.state),
        owner_id=row.owner_id,
        provider=row.provider,
        mode=row.mode,
        request=dict(row.request or {}),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        submitted_at=row.submitted_at,
        reconcile_since=row.reconcile_since,
        provider_ids=tuple(row.provider_ids or ()),
        outputs=tuple(row.outputs or ()),
        kind=row.kind,
    )


def _in_claim_order(rows: Sequence[Row[Any]]) -> list[ClaimedJob]:
    # RETURNING promises no order: priority first, then age, as the candidates were chosen.
    return [_claimed(row) for row in sorted(rows, key=lambda row: (-row.priority, row.id))]


# Which filters a claim has: (how many kinds, how many providers, batch, job ids); None: any.
Shape = tuple[int | None, int | None, bool, bool]


@dataclass(frozen=True)
class ClaimScope:
    """Which jobs a claim may take (None: no restriction)."""

    providers: Collection[str] | None = None
    kinds: Collection[str] | None = None
    batch_id: int | None = None
    job_ids: Collection[int] | None = None

    @property
    def empty(self) -> bool:
        return (self.providers is not None and not self.providers) or (
            self.kinds is not None and not self.kinds
        )

    @property
    def shape(self) -> Shape:
        """Which filters apply: (how many kinds, how many providers, batch, job ids); None: any."""
        return (
            None if self.kinds is None else len(self.kinds),
            None if self.providers is None else len(self.providers),
            self.batch_id is not None,
            self.job_ids is not None,
        )

    def params(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for i, kind in enumerate(self.kinds or ()):
            found[f"scope_kind_{i}"] = kind
        for i, provider in enumerate(self.providers or ()):
            found[f"scope_provider_{i}"] = provider
        if self.batch_id is not None:
            found["scope_batch_id"] = self.batch_id
        if self.job_ids is not None:
            found["scope_job_ids"] = list(self.job_ids)
        return found


def _claimable(source: JobState) -> list[ColumnElement[bool]]:
    """Still claimable: in ``source`` and not under a live lease (the compare of the compare-and-set)."""
    return [
        JOBS.c.state == source.value,
        or_(JOBS.c.lease_owner.is_(None), JOBS.c.lease_expires_at < bindparam("now")),
    ]


def _ready(source: JobState) -> list[ColumnElement[bool]]:
    """Claimable now. A QUEUED job of a paused batch is never started, whatever put it there (a
    pause moves its waiting jobs to PAUSED; this holds even if one slipped through); RECONCILING
    jobs were sent already and are looked for whether or not their batch is paused."""
    found = [*_claimable(source), JOBS.c.not_before <= bindparam("now")]
    if source is JobState.QUEUED:
        paused = exists().where(BATCHES.c.id == JOBS.c.batch_id, BATCHES.c.paused.is_(True))
        found.append(or_(JOBS.c.batch_id.is_(None), ~paused))
    return found


def _scope_conditions(
    kinds: int | None, providers: int | None, batch: bool, job_ids: bool
) -> list[ColumnElement[bool]]:
    # Kinds and providers are a few names: one parameter each, so the statement's SQL is fixed (an
    # expanding IN is rendered again at every execution, which cost a worker more CPU than the
    # rest of building the statement). Job ids may be many: those expand.
    found: list[ColumnElement[bool]] = []
    if kinds is not None:
        found.append(JOBS.c.kind.in_([bindparam(f"scope_kind_{i}") for i in range(kinds)]))
    if providers is not None:
        found.append(JOBS.c.provider.in_([bindparam(f"scope_provider_{i}") for i in range(providers)]))
    if batch:
        found.append(JOBS.c.batch_id == bindparam("scope_batch_id"))
    if job_ids:
        found.append(JOBS.c.id.in_(bindparam("scope_job_ids", expanding=True)))
    return found


def _taking(source: JobState) -> dict[str, Any]:
    """The SET of a claim: held by this worker under a fresh lease (RUNNING also notes its start)."""
    values: dict[str, Any] = {
        "lease_owner": bindparam("worker_id"),
        "lease_expires_at": bindparam("lease_until"),
        "updated_at": bindparam("now"),
    }
    if source is JobState.QUEUED:
        values["state"] = JobState.RUNNING.value
        values["started_at"] = bindparam("now")
    return values


# The statements are built once per shape (which filters a claim has) and reused: building one and
# computing its cache key cost more CPU than running it.
@functools.cache
def _one_statement(source: JobState, shape: Shape) -> Update:
    ready = [*_ready(source), *_scope_conditions(*shape)]
    candidates = (
        select(JOBS.c.id)
        .where(*ready)
        .order_by(JOBS.c.priority.desc(), JOBS.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    return (
        update(JOBS)
        .where(JOBS.c.id.in_(select(candidates.c.id)), *_claimable(source))
        .values(**_taking(source))
        .returning(*_RETURNED)
    )


@functools.cache
def _candidates_statement(shape: Shape) -> Select[Any]:
    ready = [*_ready(JobState.QUEUED), *_scope_conditions(*shape)]
    return (
        select(JOBS.c.id, JOBS.c.owner_id, JOBS.c.kind)
        .where(*ready)
        .order_by(JOBS.c.priority.desc(), JOBS.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )


_TAKE_CHOSEN = (
    update(JOBS)
    .where(JOBS.c.id.in_(bindparam("chosen", expanding=True)), *_claimable(JobState.QUEUED))
    .values(**_taking(JobState.QUEUED))
    .returning(*_RETURNED)
)


def claim(
    db: Database,
    worker_id: str,
    scope: ClaimScope,
    *,
    lease_s: float,
    limit: int,
    reconciling: bool,
) -> list[ClaimedJob]:
    """Take up to ``limit`` ready jobs in ``scope``: QUEUED ones held as RUNNING, or (``reconciling``)
    RECONCILING ones held as RECONCILING; returned in claim order (priority, then age)."""
    if limit <= 0 or scope.empty:
        return []
    now = utcnow()
    params: dict[str, Any] = {
        "now": now,
        "lease_until": now + timedelta(seconds=lease_s),
        "worker_id": worker_id,
        "limit": limit,
        **scope.params(),
    }
    if not reconciling and (scope.kinds is None or GENERATION_KIND in scope.kinds):
        with db.engine.begin() as conn:
            return _claim_under_caps(conn, scope, params, limit)
    source = JobState.RECONCILING if reconciling else JobState.QUEUED
    with db.single_statement() as conn:
        return _in_claim_order(conn.execute(_one_statement(source, scope.shape), params).all())


def _claim_under_caps(
    conn: Connection, scope: ClaimScope, params: dict[str, Any], limit: int
) -> list[ClaimedJob]:
    """The candidates (locked on PostgreSQL), minus generations of users at their cap, then one
    compare-and-set UPDATE for the chosen."""
    # Look past jobs of users at their cap, but not endlessly.
    rows = conn.execute(_candidates_statement(scope.shape), {**params, "limit": limit * 4 + 20})
    # Only generations are held to their owner's cap: ``owner`` is None for the others.
    candidates = [(row.id, row.owner_id if row.kind == GENERATION_KIND else None) for row in rows]
    room = _owner_room(conn, {owner for _, owner in candidates if owner is not None})
    chosen: list[int] = []
    for job_id, owner_id in candidates:
        if len(chosen) >= limit:
            break
        if owner_id in room:
            if room[owner_id] <= 0:
                continue
            room[owner_id] -= 1
        chosen.append(job_id)
    if not chosen:
        return []
    return _in_claim_order(conn.execute(_TAKE_CHOSEN, {**params, "chosen": chosen}).all())


def _owner_room(conn: Connection, owners: set[int]) -> dict[int, int]:
    """For users with a ``concurrency`` preference: how many more of their generations may start
    now (other kinds — a ZIP build, a history import — neither count nor wait for it)."""
    if not owners:
        return {}
    from framecast.db.accounts import User

    caps: dict[int, int] = {}
    for user_id, preferences in conn.execute(select(User.id, User.preferences).where(User.id.in_(owners))):
        cap = (preferences or {}).get("concurrency")
        if isinstance(cap, int) and cap > 0:
            caps[user_id] = cap
    if not caps:
        return {}
    running: dict[int, int] = dict(
        conn.execute(
            select(JOBS.c.owner_id, func.count())
            .where(
                JOBS.c.state == JobState.RUNNING.value,
                JOBS.c.kind == GENERATION_KIND,
                JOBS.c.owner_id.in_(list(caps)),
            )
            .group_by(JOBS.c.owner_id)
        ).all()
    )
    return {user_id: cap - int(running.get(user_id, 0)) for user_id, cap in caps.items()}
