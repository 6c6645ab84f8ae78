"""GenAIPro's v2 task API beside v1: ``/api/v2/veo/*`` and ``/api/v2/me``, on the same account state.

The generation POSTs take the v1 bodies (plus an optional ``callback_url``) and answer **202** with
the task ids at once — ``{"histories": [{id, status: "processing", ...}, ...]}`` for videos, the one
task object for create-image — while the generation runs on its own, as v1's does. A client then
polls ``GET /v2/veo/tasks/{id}`` or ``GET /v2/veo/histories``; when a ``callback_url`` was given the
emulator POSTs the finished task there too (a client must treat it only as "look now").

Every v2 request, submission or poll, counts against one window of ``v2_rate_per_minute`` (429
with ``Retry-After`` past it, as the service documents 30 a minute); quota and concurrency are the
account's, shared with v1. A task that fails gives its credits back (``refunded`` in the stats).
The faults of v2 are described in :mod:`framecast.emulators.genaipro.faults`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from framecast.emulators.genaipro import forms, wire
from framecast.emulators.genaipro.emulator import Emulator
from framecast.emulators.genaipro.faults import FaultKind, FaultTarget
from framecast.emulators.genaipro.generation import Generation
from framecast.emulators.genaipro.replies import (
    authorized,
    credits_answer,
    error,
    history_page,
    page_query,
    read_fault_answer,
    reported_quota,
)
from framecast.emulators.genaipro.sse import DroppedConnection
from framecast.emulators.genaipro.state import HistoryRecord, ItemKind, Order, Refusal, RefusalReason

V2_PREFIX = "/api/v2"
CALLBACK_TIMEOUT_S = 10.0
# How much of a 202 body is written before a ``drop_after_events`` fault cuts the connection.
_PARTIAL_BYTES = 12

logger = logging.getLogger(__name__)


def v2_routes(emulator: Emulator) -> list[Route]:
    """The v2 routes of ``emulator``."""

    def generation_route(path: str, read: forms.Reader) -> Route:
        async def endpoint(request: Request) -> Response:
            return await _submit(emulator, request, read)

        return Route(f"{V2_PREFIX}/veo/{path}", endpoint, methods=["POST"])

    async def task(request: Request) -> Response:
        if (early := _gate(emulator, request, poll=True)) is not None:
            return early
        record = emulator.state.record(request.path_params["task_id"])
        if record is None:
            return error(404, "Task not found")
        return JSONResponse(task_json(record, str(request.base_url)))

    async def histories(request: Request) -> Response:
        query = page_query(request)
        if isinstance(query, Response):
            return query
        if (early := _gate(emulator, request, poll=True)) is not None:
            return early
        return history_page(emulator, request, *query, task_json)

    async def credits(request: Request) -> Response:
        if (early := _gate(emulator, request)) is not None:
            return early
        return credits_answer(emulator)

    async def me(request: Request) -> Response:
        if (early := _gate(emulator, request)) is not None:
            return early
        total, used = reported_quota(emulator)
        user = {"id": "emulated-user", "email": "user@example.com"}
        return JSONResponse({"user": user, "credits": total - used})

    return [
        generation_route("text-to-video", forms.read_text_to_video),
        generation_route("frames-to-video", forms.read_frames_to_video),
        generation_route("ingredients-to-video", forms.read_ingredients_to_video),
        generation_route("create-image", forms.read_create_image),
        Route(f"{V2_PREFIX}/veo/tasks/{{task_id}}", task),
        Route(f"{V2_PREFIX}/veo/histories", histories),
        Route(f"{V2_PREFIX}/veo/credits", credits),
        Route(f"{V2_PREFIX}/me", me),
    ]


def task_json(record: HistoryRecord, root_url: str) -> dict[str, Any]:
    """A task as v2 reports it: plain ``processing`` / ``completed`` / ``failed`` words."""
    row = wire.history_item(record, root_url)
    row["status"] = record.status.value
    return row


def _gate(emulator: Emulator, request: Request, *, poll: bool = False) -> Response | None:
    """Authentication, the v2 window and a read fault for a v2 GET; None when it may be answered."""
    state = emulator.state
    wait = state.count_v2_request(poll=poll)
    if not authorized(request, emulator.config.api_key):
        return error(401, "Unauthorized")
    if wait is not None:
        return error(429, "Too many requests", code=429, headers={"Retry-After": str(wait)})
    fault = emulator.faults.pick(FaultTarget.READ, api=2)
    if fault is None:
        return None
    state.read_fault(fault)
    if fault is FaultKind.GET_DROPPED:
        return CutResponse(200, b'{"data":[{"id":')
    return read_fault_answer(fault)


async def _submit(emulator: Emulator, request: Request, read: forms.Reader) -> Response:
    state = emulator.state
    state.count_request()
    wait = state.count_v2_request()
    if not authorized(request, emulator.config.api_key):
        state.reject()
        return error(401, "Unauthorized")
    try:
        order = await read(request)
        callback_url = await _callback_url(request)
    except forms.BadRequestError as exc:
        state.reject()
        return error(400, str(exc))
    if wait is not None:
        state.refuse(RefusalReason.RATE_LIMIT)
        return error(429, "Too many requests", code=429, headers={"Retry-After": str(wait)})
    fault = emulator.faults.pick(FaultTarget.GENERATION, api=2)
    if fault is not None and not fault.accepted:
        state.refuse(fault)
        return _refusing_fault(fault)
    style = emulator.next_style()
    admitted = state.admit(order, fault=fault, tz=style.tz, rate_window=False)
    if isinstance(admitted, Refusal):
        return _refusal(admitted)
    root = str(request.base_url)
    latency = emulator.config.latency
    if fault is FaultKind.SLOW_TASK:
        latency *= emulator.config.slow_task_factor

    async def call_back() -> None:
        if callback_url:
            await _post_callback(emulator, callback_url, admitted, root)

    generation = Generation(
        state,
        order,
        admitted,
        latency,
        failure=None if fault is None else fault.failure,
        refund_failure=True,
        on_finish=call_back,
    )
    emulator.spawn(generation.run())
    emulator.warm_media(order)
    body = _accepted_body(order, admitted, root)
    if fault is FaultKind.DROP_AFTER_EVENTS:
        return CutResponse(202, json.dumps(body).encode()[:_PARTIAL_BYTES])
    return JSONResponse(body, status_code=202)


def _accepted_body(order: Order, records: list[HistoryRecord], root: str) -> dict[str, Any]:
    if order.kind is ItemKind.IMAGE:
        return task_json(records[0], root)  # create-image answers the one task object
    return {"histories": [task_json(record, root) for record in records]}


async def _callback_url(request: Request) -> str | None:
    """The optional ``callback_url`` field of a submission (JSON or form); the body is cached by now."""
    if forms.is_form(request):
        value: Any = (await request.form()).get("callback_url")
    else:
        try:
            value = json.loads(await request.body()).get("callback_url")
        except (ValueError, AttributeError):
            value = None
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise forms.BadRequestError("callback_url must be an http(s) URL")
    return value


async def _post_callback(emulator: Emulator, url: str, records: list[HistoryRecord], root: str) -> None:
    """POST each finished task to ``url``, once; a failure is counted, never retried."""
    state = emulator.state
    try:
        async with httpx.AsyncClient(timeout=CALLBACK_TIMEOUT_S) as http:
            for record in records:
                response = await http.post(url, json=task_json(record, root))
                response.raise_for_status()
    except httpx.HTTPError as exc:
        state.stats.callbacks_failed += 1
        logger.info("the callback to %s failed: %s", url, exc)
        return
    state.stats.callbacks_sent += 1


def _refusing_fault(fault: FaultKind) -> Response:
    if fault is FaultKind.EMPTY_STREAM:
        return Response(b"", status_code=500)  # a 5xx without a body
    if fault is FaultKind.RECAPTCHA:
        return JSONResponse(wire.RECAPTCHA_ERROR, status_code=403)
    if fault is FaultKind.MAINTENANCE_HTML:
        return HTMLResponse(wire.MAINTENANCE_PAGE, status_code=503)
    if fault is FaultKind.RATE_LIMIT_RETRY_AFTER:
        return error(429, "Too many requests", code=429, headers={"Retry-After": "1"})
    if fault is FaultKind.RATE_LIMIT_NO_HEADER:
        return error(429, "Too many requests", code=429)
    if fault is FaultKind.SERVER_ERROR:
        return error(500, "Internal server error", code=500)
    raise AssertionError(f"{fault} is not a refusing fault")


def _refusal(refusal: Refusal) -> Response:
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after is not None else None
    if refusal.reason is RefusalReason.CONCURRENCY:
        return error(429, "Too many concurrent requests", code=429, headers=headers)
    return error(402, "Insufficient credits")


class CutResponse(Response):
    """Starts an answer (status, a Content-Length larger than what follows, a few bytes), then cuts
    the connection: the client sees a broken body, never the whole answer."""

    def __init__(self, status_code: int, partial: bytes) -> None:
        self._partial = partial
        self.status_code = status_code
        self.background = None
        self.init_headers({"Content-Type": "application/json", "Content-Length": str(len(partial) + 500)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self._partial, "more_body": True})
        raise DroppedConnection("connection dropped on purpose by the emulator (v2)")
