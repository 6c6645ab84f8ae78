"""``GET /api/health``: liveness, the database, and the workers that beat lately — with no login.

Cheap enough to poll every second: a ``SELECT 1`` outside any transaction and one small read of
``worker_beats``, each in a thread and under a short timeout (``web/monitoring.py``). The answer is
503 when the database does not answer, so a load balancer takes the server out of rotation.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from framecast import __version__
from framecast.db.base import utcnow
from framecast.web.deps import Ctx
from framecast.web.monitoring import ProbeError, live_workers, probe, select_one

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class WorkerPublic(BaseModel):
    """A worker (on any host) whose last heartbeat is younger than ``jobs.beats.ALIVE_S``."""

    id: str  # host:pid:nonce, as its job leases name it
    host: str
    kinds: list[str]  # the kinds of job it runs
    beat_at: datetime
    seconds_since_beat: float


class HealthPublic(BaseModel):
    status: Literal["ok", "unavailable"]
    version: str
    embedded_worker: bool
    database: Literal["ok", "unreachable"]
    workers: list[WorkerPublic]


@router.get(
    "/api/health",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "the database does not answer"}},
)
async def health(request: Request, context: Ctx) -> HealthPublic | JSONResponse:
    answer = HealthPublic(
        status="ok",
        version=__version__,
        embedded_worker=request.app.state.embedded_worker,
        database="ok",
        workers=[],
    )
    try:
        await probe(lambda: select_one(context.db))
    except ProbeError as exc:
        log.warning("health check: %s", exc)
        answer.status, answer.database = "unavailable", "unreachable"
        return JSONResponse(answer.model_dump(mode="json"), status_code=503)
    try:
        found = await probe(lambda: live_workers(context.db))
    except ProbeError as exc:
        # The database answered SELECT 1; a slow read of the beats only leaves the list empty.
        log.warning("health check could not list the workers: %s", exc)
        found = []
    now = utcnow()
    answer.workers = [
        WorkerPublic(
            id=beat.worker_id,
            host=beat.host,
            kinds=(beat.capabilities or "").split(",") if beat.capabilities else [],
            beat_at=beat.beat_at,
            seconds_since_beat=round(beat.seconds_since(now), 1),
        )
        for beat in found
    ]
    return answer
