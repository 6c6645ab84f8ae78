"""``GET /metrics``: every metric of this process in Prometheus' text exposition format.

Read by an administrator (session or API token), or by a scraper sending
``Authorization: Bearer <FRAMECAST_WEB__METRICS_TOKEN>``; anyone else gets 401 (no credentials, or
wrong ones) or 403 (a user who is not an administrator), in the app's one error shape.

The queue's figures (jobs by state, live workers, avatar renders waiting, the shared limits) are read
from the database at each scrape, so any server answers the same; counters and histograms are this
process's own live values plus what every other process (workers included) published within the
last ``jobs.metrics_publish_s`` seconds (``db/metric_totals.py``); the per-worker limit gauges
(``framecast_provider_*``) are this process's own. When the database does not answer, its gauges
are left out, the other processes' counts stay as last read, and ``framecast_database_up`` is 0: the
scrape itself still succeeds.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from framecast.core import metrics
from framecast.web.deps import Ctx, admin_user, current_caller
from framecast.web.monitoring import ProbeError, forget_database_gauges, probe, refresh_database_gauges

router = APIRouter(tags=["metrics"])
log = logging.getLogger(__name__)


async def metrics_reader(request: Request, context: Ctx) -> None:
    """Let the scrape token or an administrator through. Raises ``NotAuthenticatedError`` without
    valid credentials, ``ForbiddenError`` for a user who is not an administrator."""
    secret = context.settings.web.metrics_token
    expected = secret.get_secret_value() if secret is not None else ""
    header = request.headers.get("authorization", "")
    sent = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if expected and hmac.compare_digest(sent.encode(), expected.encode()):
        return
    caller = await current_caller(request)
    await admin_user(caller.user)


MetricsReader = Annotated[None, Depends(metrics_reader)]


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {metrics.CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def read_metrics(context: Ctx, _: MetricsReader) -> Response:
    try:
        await probe(lambda: refresh_database_gauges(context.db))
        metrics.DATABASE_UP.set(1)
    except ProbeError as exc:
        log.warning("metrics: %s", exc)
        forget_database_gauges()
        metrics.DATABASE_UP.set(0)
    body = await anyio.to_thread.run_sync(metrics.REGISTRY.render)
    return Response(body, media_type=metrics.CONTENT_TYPE)
