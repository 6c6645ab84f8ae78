"""The FastAPI application: pages, REST API, SSE, and (unless switched off) an embedded worker.

Routers live in ``web/routes/<resource>.py``; each module exposes ``router``. Every route except the
login, first-run setup and health check requires a login (see ``web/deps.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from framecast import __version__
from framecast.core.files import private_data_dir, remove_leftovers
from framecast.core.secret import fernet
from framecast.core.settings import Settings
from framecast.core.storage import open_store
from framecast.db.metric_totals import publishing
from framecast.db.migrate import upgrade
from framecast.db.news import News
from framecast.db.session import Database
from framecast.jobs.kinds import kind_names
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.studio import generation_kind, history_import_kind, zip_kind  # noqa: F401  (registers them)
from framecast.tutor.avatar_kind import KIND as AVATAR_RENDER
from framecast.tutor.phrases import seed_phrases
from framecast.tutor.runtime import TutorRuntime
from framecast.tutor.services import TutorServices
from framecast.web.body_limits import BodyLimitMiddleware
from framecast.web.context import WEB_DIR, WebContext
from framecast.web.cors import CorsMiddleware
from framecast.web.deps import authenticate
from framecast.web.errors import install_error_handlers
from framecast.web.input_checks import InputCheckMiddleware
from framecast.web.security.media_links import MediaLinks
from framecast.web.security_headers import SecurityHeadersMiddleware
from framecast.web.stored_media import browser_origin

# Route modules, in the order their routes are matched.
ROUTE_MODULES = (
    "health",
    "metrics",
    "callbacks",
    "auth",
    "signup",
    "users",
    "jobs",
    "batches",
    "batch_downloads",
    "files",
    "provider",
    "account",
    "tutor_sessions",
    "progress",
    "avatar_sessions",
    "practice",
    "classes",
    "tutor_ws",
    "tutor_pages",
    "class_pages",
    "pages",
)


def create_app(
    settings: Settings,
    *,
    embedded_worker: bool | None = None,
    tutor_renders: bool | None = None,
    tutor_services: TutorServices | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The application. ``tutor_services`` replaces the Tutor providers built from settings, and
    ``transport`` carries every remote call of the Tutor (tests fake the vendors with it).

    Raises ``ConfigurationError`` when a setting names a provider nothing registered.
    """
    registry.check_settings(settings)
    private_data_dir(Path(settings.data_dir))
    # What a crash or a full disk left half-written (a file still being written keeps changing).
    remove_leftovers(Path(settings.data_dir))
    upgrade(settings.database_url_resolved)
    db = Database.from_settings(settings)
    seed_phrases(db)
    run_worker = settings.web.embedded_worker if embedded_worker is None else embedded_worker
    # The Tutor's avatar renders, apart from the Studio's worker (``serve --no-worker`` stops both).
    run_renders = settings.web.embedded_worker if tutor_renders is None else tutor_renders
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    news = News(db)
    tutor = TutorRuntime(
        db, settings, services=tutor_services, transport=transport, news=news, run_renders=run_renders
    )
    context = WebContext(
        settings=settings,
        db=db,
        templates=templates,
        fernet=fernet(settings),
        media_links=MediaLinks.from_settings(settings),
        tutor=tutor,
        news=news,
        storage=open_store(settings),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task: asyncio.Task[None] | None = None
        worker: Worker | None = None
        try:
            async with news.listening(), publishing(db, settings.jobs.metrics_publish_s):
                if run_worker:
                    # Every registered kind (Studio generations, zips, history imports); the Tutor's
                    # avatar renders are run by the Tutor runtime's own worker.
                    kinds = [kind for kind in kind_names() if kind != AVATAR_RENDER]
                    worker = Worker(db, settings, kinds=kinds, news=news)
                    task = asyncio.create_task(worker.run(stop=stop))
                async with tutor.running():
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
    app.state.web = context
    app.state.embedded_worker = run_worker
    # Remote calls of the Tutor's REST routes (Tavus) go through this transport when one is given.
    app.state.tavus_transport = transport
    install_error_handlers(app)
    # Innermost first. Text and numbers no route can store are refused before any route sees them;
    # around that, a body too large, or sent by someone not logged in, is refused before it is read;
    # around that, the CORS headers go on every answer of the API, refusals included, and preflights
    # are answered before anything reads a request.
    app.add_middleware(InputCheckMiddleware)
    app.add_middleware(BodyLimitMiddleware, settings=settings, authenticate=authenticate)
    app.add_middleware(CorsMiddleware, origins=settings.web.cors_origins)
    app.add_middleware(
        SecurityHeadersMiddleware,
        frame_sources=settings.web.frame_sources,
        media_origins=[
            *context.media_links.origins,
            *filter(None, [browser_origin(context.store)]),
        ],
    )
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    for name in ROUTE_MODULES:
        app.include_router(importlib.import_module(f"framecast.web.routes.{name}").router)
    return app
