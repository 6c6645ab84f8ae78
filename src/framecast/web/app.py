"""The FastAPI application. This first cut serves the queue read-only and runs the embedded worker;
the Studio pages, accounts and the full REST API arrive with the Studio-in-the-browser issue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from framecast import __version__
from framecast.core.settings import Settings
from framecast.db.migrate import upgrade
from framecast.db.session import Database
from framecast.jobs.repository import JobRepository
from framecast.jobs.worker import Worker


def create_app(settings: Settings, *, embedded_worker: bool = True) -> FastAPI:
    upgrade(settings.database_url_resolved)
    db = Database.from_settings(settings)
    repo = JobRepository(db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task: asyncio.Task[None] | None = None
        worker: Worker | None = None
        if embedded_worker:
            worker = Worker(db, settings)
            task = asyncio.create_task(worker.run(stop=stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if worker is not None:
                await worker.aclose()
            db.dispose()

    app = FastAPI(title="Framecast", version=__version__, lifespan=lifespan)

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "embedded_worker": embedded_worker}

    @app.get("/api/jobs")
    async def jobs(limit: int = 50) -> list[dict[str, Any]]:
        rows = await anyio.to_thread.run_sync(lambda: repo.list_jobs(limit=min(limit, 500)))
        return [
            {
                "id": j.id,
                "state": j.state,
                "provider": j.provider,
                "mode": j.mode,
                "item": j.item_key,
                "progress": j.progress_status,
                "percent": j.progress_percent,
                "outputs": [o.get("path") for o in j.outputs or []],
                "error": j.error_message,
            }
            for j in rows
        ]

    @app.get("/", response_class=HTMLResponse)
    async def index() -> str:
        return (
            "<!doctype html><html><head><meta charset='utf-8'><title>Framecast</title></head><body>"
            "<h1>Framecast</h1><p>The server and its embedded worker are running. "
            "The Studio pages are not built yet; use the <code>framecast</code> command, "
            "<a href='/api/jobs'>/api/jobs</a> and "
            "<a href='/docs'>/docs</a>.</p></body></html>"
        )

    return app
