"""The GenAIPro emulator as an ASGI app: ``/api/v1/veo/*``, ``/files/*``, ``/_emulator/*``, and v2's
``/api/v2/*`` beside them (:mod:`framecast.emulators.genaipro.v2`).

A generation request goes through, in order: authentication (401), validation (400), the fault
decision among the generation kinds (refusing faults answer here), the rate limit (429 with
``Retry-After`` until a slot frees), the concurrency limit (429, ``Retry-After: 1``), the quota (402).
Then it is accepted: charged, recorded in history as processing, and streamed while a separate task
completes it after the configured latency — or, under the faults that make a generation fail, fails
its rows after half of it and ends the stream with ``event:error``.

A read (``GET /veo/me``, ``/veo/credits``, ``/veo/histories``) goes through authentication (401),
validation of its query (400; histories only), then the fault decision among the read kinds (500
JSON, 429 JSON with ``Retry-After: 1``, 503 HTML) before it answers.

Files (``/files/<name>``, ``/files/blob-<N>.mp4``) ask for a bearer token, by the API's rule, only
when ``files_need_auth`` is set (401); a generated file exists only once its row is completed (404
before that, and forever for a failed one). Every outcome is counted in ``GET /_emulator/stats``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from framecast.emulators.genaipro import forms, wire
from framecast.emulators.genaipro.admin import admin_routes
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.emulator import Emulator
from framecast.emulators.genaipro.faults import FaultKind, FaultTarget
from framecast.emulators.genaipro.generation import (
    Generation,
    empty_script,
    generation_script,
    recaptcha_script,
)
from framecast.emulators.genaipro.media import blob_chunks, blob_size_ok
from framecast.emulators.genaipro.replies import (
    authorized,
    credits_answer,
    error,
    history_page,
    may_download,
    page_query,
    read_fault_answer,
    reported_quota,
    unauthorized,
)
from framecast.emulators.genaipro.sse import EventStreamResponse, quiet_deliberate_drops
from framecast.emulators.genaipro.state import ItemKind, ItemStatus, Order, Refusal, RefusalReason
from framecast.emulators.genaipro.v2 import v2_routes

API_PREFIX = "/api/v1"

logger = logging.getLogger(__name__)


def create_app(config: EmulatorConfig) -> Starlette:
    """The emulator app for ``config``; its lifespan cancels running generations at shutdown."""
    quiet_deliberate_drops()
    emulator = Emulator(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await emulator.close()

    def generation_route(path: str, read: forms.Reader) -> Route:
        async def endpoint(request: Request) -> Response:
            return await _generate(emulator, request, read)

        return Route(f"{API_PREFIX}/veo/{path}", endpoint, methods=["POST"])

    async def me(request: Request) -> Response:
        if not authorized(request, emulator.config.api_key):
            return unauthorized()
        if (faulty := _read_fault(emulator)) is not None:
            return faulty
        total, used = reported_quota(emulator)
        return JSONResponse({"total_quota": total, "used_quota": used, "available_quota": total - used})

    async def credits(request: Request) -> Response:
        if not authorized(request, emulator.config.api_key):
            return unauthorized()
        if (faulty := _read_fault(emulator)) is not None:
            return faulty
        return credits_answer(emulator)

    async def histories(request: Request) -> Response:
        if not authorized(request, emulator.config.api_key):
            return unauthorized()
        query = page_query(request)
        if isinstance(query, Response):
            return query
        if (faulty := _read_fault(emulator)) is not None:
            return faulty
        return history_page(emulator, request, *query, wire.history_item)

    async def blob(request: Request) -> Response:
        if not may_download(request, emulator):
            return unauthorized()
        size: int = request.path_params["size"]
        if not blob_size_ok(size):
            return error(404, "File not found")
        return StreamingResponse(
            blob_chunks(size), media_type="video/mp4", headers={"Content-Length": str(size)}
        )

    async def media_file(request: Request) -> Response:
        if not may_download(request, emulator):
            return unauthorized()
        name: str = request.path_params["name"]
        record = emulator.state.record_for_file(name)
        if record is None or record.status is not ItemStatus.COMPLETED:
            return error(404, "File not found")
        try:
            if record.kind is ItemKind.VIDEO:
                path = await emulator.media.video(record.mode, record.aspect)
            else:
                path = await emulator.media.image(record.aspect)
        except Exception as exc:
            logger.exception("rendering %s failed", name)
            return error(500, f"The emulator could not render {name}: {exc}")
        media_type = "video/mp4" if record.kind is ItemKind.VIDEO else "image/png"
        return FileResponse(path, media_type=media_type)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return error(status, "Not found" if status == 404 else "Method not allowed")

    routes = [
        generation_route("text-to-video", forms.read_text_to_video),
        generation_route("frames-to-video", forms.read_frames_to_video),
        generation_route("ingredients-to-video", forms.read_ingredients_to_video),
        generation_route("create-image", forms.read_create_image),
        Route(f"{API_PREFIX}/veo/me", me),
        Route(f"{API_PREFIX}/veo/credits", credits),
        Route(f"{API_PREFIX}/veo/histories", histories),
        Route("/files/blob-{size:int}.mp4", blob),
        Route("/files/{name}", media_file),
        *v2_routes(emulator),
        *admin_routes(emulator),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
    app.state.emulator = emulator
    return app


def emulator_of(app: Starlette) -> Emulator:
    """The :class:`Emulator` behind an app made by :func:`create_app` (the server tells it of shutdown)."""
    emulator = app.state.emulator
    if not isinstance(emulator, Emulator):
        raise TypeError("not an app made by create_app")
    return emulator


async def _generate(emulator: Emulator, request: Request, read: forms.Reader) -> Response:
    state = emulator.state
    state.count_request()
    if not authorized(request, emulator.config.api_key):
        state.reject()
        return unauthorized()
    try:
        order = await read(request)
    except forms.BadRequestError as exc:
        state.reject()
        return error(400, str(exc))
    style = emulator.next_style()
    fault = emulator.faults.pick(FaultTarget.GENERATION)
    if fault is not None and not fault.accepted:
        state.refuse(fault)
        return _refusing_fault(fault, order, style, emulator.closing)
    admitted = state.admit(order, fault=fault, tz=style.tz)
    if isinstance(admitted, Refusal):
        return _refusal(admitted)
    failure = None if fault is None else fault.failure
    generation = Generation(state, order, admitted, emulator.config.latency, failure=failure)
    emulator.spawn(generation.run())
    emulator.warm_media(order)
    script = generation_script(
        generation,
        fault=fault,
        style=style,
        root_url=str(request.base_url),
        rng=emulator.rng,
        stall_limit=emulator.config.stall_limit,
    )
    return EventStreamResponse(script, emulator.closing)


def _refusing_fault(
    fault: FaultKind, order: Order, style: wire.WireStyle, closing: asyncio.Event
) -> Response:
    if fault is FaultKind.EMPTY_STREAM:
        return EventStreamResponse(empty_script(), closing)
    if fault is FaultKind.RECAPTCHA:
        return EventStreamResponse(recaptcha_script(order, style), closing)
    if fault is FaultKind.MAINTENANCE_HTML:
        return HTMLResponse(wire.MAINTENANCE_PAGE, status_code=503)
    if fault is FaultKind.RATE_LIMIT_RETRY_AFTER:
        return error(429, "Too many requests", code=429, headers={"Retry-After": "1"})
    if fault is FaultKind.RATE_LIMIT_NO_HEADER:
        return error(429, "Too many requests", code=429)
    if fault is FaultKind.SERVER_ERROR:
        return error(500, "Internal server error", code=500)
    raise AssertionError(f"{fault} is not a refusing fault")


def _read_fault(emulator: Emulator) -> Response | None:
    """The answer of a read (GET) request that gets a fault, counted; None when it gets none."""
    fault = emulator.faults.pick(FaultTarget.READ)
    if fault is None:
        return None
    emulator.state.read_fault(fault)
    return read_fault_answer(fault)


def _refusal(refusal: Refusal) -> Response:
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after is not None else None
    if refusal.reason is RefusalReason.RATE_LIMIT:
        return error(429, "Too many requests", code=429, headers=headers)
    if refusal.reason is RefusalReason.CONCURRENCY:
        return error(429, "Too many concurrent requests", code=429, headers=headers)
    return error(402, "Insufficient credits")
