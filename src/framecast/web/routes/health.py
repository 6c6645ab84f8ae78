"""``GET /api/health``: liveness, with no login."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from framecast import __version__

router = APIRouter(tags=["health"])


@router.get("/api/health")
async def health(request: Request) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "embedded_worker": request.app.state.embedded_worker}
