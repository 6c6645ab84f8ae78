"""Queue tables: batches, jobs, the provider generations linked to jobs, workers' heartbeats, the
limits and request windows all workers share, the news table SQLite uses instead of ``NOTIFY``, and
every process's metric totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from framecast.db.base import Base, UTCDateTime, utcnow

# What every job was before kinds existed, and what a row without a kind still is.
GENERATION_KIND = "studio.generation"


class Batch(Base):
    """A batch run: many items from one TXT/CSV file, written to one output folder."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(32))  # aroll | broll-images | broll-footage | pipeline
    provider: Mapped[str] = mapped_column(String(32))
    out_dir: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(8))  # txt | csv
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    jobs: Mapped[list[Job]] = relationship(back_populates="batch", order_by="Job.id")

    __table_args__ = (Index("ix_batches_out_dir_kind", "out_dir", "kind"),)


class Job(Base):
    """One unit of work of some ``kind`` (a generation, a pipeline step, an avatar render…) under the
    durable queue's state machine."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), nullable=True)
    # The item's id in its batch (TXT first line / CSV id), or None for a solo job.
    item_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Pipeline: the image job whose first output becomes this job's start frame.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The kind of work (``studio.generation``, ``tutor.avatar_render``…): which handler runs it.
    kind: Mapped[str] = mapped_column(String(64), default=GENERATION_KIND, server_default=GENERATION_KIND)
    provider: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))
    # GenerationRequest fields as JSON, plus ``out_dir`` and ``basename`` for the output files.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Write-ahead mark: set *before* a possibly charged request is sent; cleared when the outcome of
    # that submission is known. Non-null after a crash means "reconcile before resubmitting".
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When reconciliation started; the grace period is counted from here.
    reconcile_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    provider_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    progress_status: Mapped[str | None] = mapped_column(String(64), nullable=True)
    progress_percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # [{"path": ..., "url": ..., "provider_id": ...}] once succeeded.
    outputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # The provider charged for this job: it succeeded on a paid provider, or the provider accepted
    # it and then failed it without a refund.
    charged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How many times the provider charged this job in all (a retried charged failure counts once
    # for the failure and again for the new attempt).
    charges: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    batch: Mapped[Batch | None] = relationship(back_populates="jobs")

    __table_args__ = (
        Index("ix_jobs_claim", "state", "provider", "not_before"),
        Index("ix_jobs_kind_claim", "state", "kind", "not_before"),
        # The claim's order (priority first, then age) without sorting the whole queue.
        Index("ix_jobs_claim_order", "state", "kind", text("priority DESC"), "id"),
        Index("ix_jobs_batch_item", "batch_id", "item_key"),
    )


class ProviderGeneration(Base):
    """A provider-side generation id bound to the job that paid for it; an id binds to one job only."""

    __tablename__ = "provider_generations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    provider_id: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("provider", "provider_id", name="uq_provider_generations_pid"),)


class WorkerBeat(Base):
    """A running worker's heartbeat: written when it starts and every few seconds, removed when it
    stops cleanly. A worker that died leaves its row, which simply stops getting newer."""

    __tablename__ = "worker_beats"

    # ``host:pid:nonce``, the id its leases carry (``jobs/leases.py``).
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # What it runs, comma-separated: the providers it claims for (job kinds once the queue has them).
    capabilities: Mapped[str | None] = mapped_column(Text, nullable=True)


class LimitSlot(Base):
    """One of a provider account's concurrent request slots, held under a lease by one worker while
    its request is out (``jobs/shared_limits.py``); a dead worker's slot comes back when it expires."""

    __tablename__ = "limit_slots"

    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LimitRate(Base):
    """A provider account's request rate, shared by every worker: a token bucket whose rate falls
    after a 429 and climbs back with successes (AIMD), and the pause a 429 imposed on all of them."""

    __tablename__ = "limit_rates"

    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Slots the account allows, as the newest worker to look was configured.
    concurrency: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    ceiling: Mapped[float] = mapped_column(Float)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consecutive_429: Mapped[int] = mapped_column(Integer, default=0)
    rate_limited: Mapped[int] = mapped_column(Integer, default=0)


class RequestWindowAccount(Base):
    """An account whose requests are counted in one sliding window shared by every worker
    (``jobs/shared_window.py``); its row is what a worker locks to take a place."""

    __tablename__ = "request_windows"

    account: Mapped[str] = mapped_column(String(100), primary_key=True)


class RequestWindowPlace(Base):
    """A place in an account's window: taken when a request is sent, kept until a window after its
    answer (or, for a request never answered, a dead worker's, until its lease runs out)."""

    __tablename__ = "request_window_places"
    __table_args__ = (Index("ix_request_window_places_account_expires", "account", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(200))
    # False while the request is out; then ``expires_at`` is its answer plus the window.
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NewsItem(Base):
    """A notice for other processes on SQLite, which has no ``NOTIFY`` (``db/news.py``); kept minutes."""

    __tablename__ = "news"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class MetricTotal(Base):
    """One process's cumulative value of one part of a counter or histogram series, published every
    few seconds (``db/metric_totals.py``) so that any server's ``/metrics`` sums every process's
    counts. Rows of processes gone for long are folded into the ``retired`` process's rows."""

    __tablename__ = "metric_totals"

    # ``host:pid:nonce``: a restarted process publishes under a new id, never over an old one's.
    process: Mapped[str] = mapped_column(String(200), primary_key=True)
    metric: Mapped[str] = mapped_column(String(100), primary_key=True)
    # "" for a counter; a histogram's ``le=<bound>`` (that bucket's own count) or ``sum``.
    part: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The series' label values in declaration order, as a JSON list.
    labels: Mapped[str] = mapped_column(String(500), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
