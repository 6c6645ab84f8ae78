"""Job kinds: what each kind of work does, registered by the package that owns that work.

The queue (``jobs/``) knows leases, heartbeats, retries, limits and the state machine; it knows no
kind of work. Each kind (``studio.generation``, ``tutor.avatar_render``…) is a :class:`KindHandler`
registered under its name by the package that owns it — ``jobs/`` never imports those packages. A
worker claims only jobs of the kinds it has handlers for, and hands each claimed job to its
kind's handler: ``run`` for a QUEUED job it now holds as RUNNING, ``reconcile`` for a RECONCILING
one (a crash or an unknown outcome left it: settle it without paying twice), and ``on_success``
inside the transaction that marks the job SUCCEEDED (None for a kind with nothing to record).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.db.models import Job
from framecast.jobs.limits import Limiter
from framecast.providers.base import Progress
from framecast.providers.registry import ProviderBundle

if TYPE_CHECKING:
    from framecast.jobs.repository import ClaimedJob, JobRepository


class UnknownKindError(ConfigurationError):
    """No handler is registered (or given to the worker) for a job's kind."""


class KindHandler(Protocol):
    """The work of one kind. ``lease_s`` / ``heartbeat_s`` of None use ``settings.jobs``."""

    @property
    def lease_s(self) -> float | None:
        """How long a claim holds a job of this kind before another worker may take it."""

    @property
    def heartbeat_s(self) -> float | None:
        """How often a worker renews the leases of the jobs of this kind it holds."""

    @property
    def concurrency(self) -> int | None:
        """Jobs of this kind one worker runs at once; None: each provider's limiter decides."""

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        """Do the work of a job claimed from QUEUED (now RUNNING) and settle it through
        ``context.repo``; an exception is settled by the worker (reconcile if a send may have
        happened, else fail)."""

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        """Settle a job claimed in RECONCILING: its last attempt may have been charged or done."""

    @property
    def on_success(self) -> Callable[[Session, Job], None] | None:
        """Called inside the transaction that marks a job SUCCEEDED, with its session and the job, to
        record what its success means; a method ``on_success(session, job)``. None (a class
        attribute ``on_success = None``) for a kind that records nothing: its success is then one
        statement with no transaction around it, the cheapest a worker can write."""


@dataclass
class KindContext:
    """What a handler gets from the worker that claimed the job."""

    kind: str
    handler: KindHandler
    repo: JobRepository
    settings: Settings
    worker_id: str
    # The worker's provider bundles and per-provider limiters (for kinds that call providers).
    bundles: dict[str, ProviderBundle] = field(default_factory=dict)
    limiters: dict[str, Limiter] = field(default_factory=dict)
    # The job's provider, built with its owner's stored key if they have one, else the platform's.
    bundle_for: Callable[[ClaimedJob], Awaitable[ProviderBundle]] | None = None
    on_progress: Callable[[int, Progress], None] | None = None
    # Told (from any thread) that a job is recording its success: the worker may claim the next
    # job of a kind of fixed concurrency now, so it starts the moment this one ends.
    finishing: Callable[[int], None] | None = None

    def succeed(self, job_id: int, outputs: list[dict[str, Any]], *, charged: bool = False) -> None:
        """Mark the held job SUCCEEDED with ``outputs``, running the kind's ``on_success`` in the
        same transaction (synchronous: call it in a thread)."""
        if self.finishing is not None:
            self.finishing(job_id)
        self.repo.succeed(
            job_id, self.worker_id, outputs, charged=charged, on_success=self.handler.on_success
        )


_KINDS: dict[str, KindHandler] = {}


def register_kind(name: str, handler: KindHandler) -> None:
    """Register (or replace) the handler of the kind ``name``."""
    _KINDS[name] = handler


def unregister_kind(name: str) -> None:
    _KINDS.pop(name, None)


def kind_names() -> list[str]:
    return sorted(_KINDS)


def registered() -> dict[str, KindHandler]:
    """Every registered kind and its handler."""
    return dict(_KINDS)


def handler_for(name: str, extra: dict[str, KindHandler] | None = None) -> KindHandler:
    """The handler of ``name`` (from ``extra`` first, then the registry); raises
    :class:`UnknownKindError` naming the known kinds when there is none."""
    handler = (extra or {}).get(name) or _KINDS.get(name)
    if handler is None:
        known = ", ".join(sorted({*_KINDS, *(extra or {})})) or "none"
        raise UnknownKindError(
            f"no handler for job kind {name!r}; known kinds: {known} "
            "(the package that owns a kind registers it when imported)"
        )
    return handler
