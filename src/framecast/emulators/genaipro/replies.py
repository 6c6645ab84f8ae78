"""Answers v1 and v2 of the emulated API give alike: authentication, error bodies, the quota, pages
of history and the answers of read faults."""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from framecast.emulators.genaipro import wire
from framecast.emulators.genaipro.emulator import Emulator
from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.state import HistoryRecord

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# /veo/me must report numbers; an unlimited account reports this many credits.
REPORTED_UNLIMITED_QUOTA = 1_000_000
CREDIT_LIFETIME = timedelta(days=3)

Row = Callable[[HistoryRecord, str], dict[str, Any]]


def authorized(request: Request, api_key: str | None) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    return api_key is None or hmac.compare_digest(token.encode(), api_key.encode())


def may_download(request: Request, emulator: Emulator) -> bool:
    """Whether a file may be served: always, unless ``files_need_auth`` asks for the API's token."""
    return not emulator.config.files_need_auth or authorized(request, emulator.config.api_key)


def unauthorized() -> Response:
    return error(401, "Unauthorized")


def error(
    status: int, message: str, *, code: int | None = None, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(wire.error_body(message, code), status_code=status, headers=headers)


def int_param(request: Request, name: str, default: int) -> int | None:
    """The query parameter as an int, ``default`` when absent, None when not a whole number."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def reported_quota(emulator: Emulator) -> tuple[int, int]:
    state = emulator.state
    total = (
        state.quota_total
        if state.quota_total is not None
        else max(REPORTED_UNLIMITED_QUOTA, state.quota_used)
    )
    return total, state.quota_used


def credits_answer(emulator: Emulator) -> Response:
    """``/veo/credits``: one package holding the account's credits."""
    total, used = reported_quota(emulator)
    expires = wire.format_time((emulator.state.started_at + CREDIT_LIFETIME).replace(microsecond=0))
    return JSONResponse([{"quota": total, "used": used, "expires_at": expires}])


def page_query(request: Request) -> tuple[int, int] | Response:
    """The ``page`` and ``page_size`` of a histories request, or its 400 answer."""
    page = int_param(request, "page", 1)
    page_size = int_param(request, "page_size", DEFAULT_PAGE_SIZE)
    if page is None or page < 1:
        return error(400, "page must be a whole number >= 1")
    if page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
        return error(400, f"page_size must be a whole number between 1 and {MAX_PAGE_SIZE}")
    return page, page_size


def history_page(emulator: Emulator, request: Request, page: int, page_size: int, row: Row) -> Response:
    """One page of history, newest first, each record written by ``row``."""
    records, total = emulator.state.page(page, page_size)
    root = str(request.base_url)
    return JSONResponse(
        {
            "data": [row(record, root) for record in records],
            "total": total,
            "page": page,
            "page_size": page_size,
            "total_pages": math.ceil(total / page_size),
        }
    )


def read_fault_answer(fault: FaultKind) -> Response:
    """What a GET answers under a read fault (``get_dropped`` is v2's and cut elsewhere)."""
    if fault is FaultKind.GET_SERVER_ERROR:
        return error(500, "Internal server error", code=500)
    if fault is FaultKind.GET_RATE_LIMIT:
        return error(429, "Too many requests", code=429, headers={"Retry-After": "1"})
    if fault is FaultKind.GET_MAINTENANCE_HTML:
        return HTMLResponse(wire.MAINTENANCE_PAGE, status_code=503)
    raise AssertionError(f"{fault} is not a read fault")
