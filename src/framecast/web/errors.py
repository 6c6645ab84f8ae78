"""The one place errors become HTTP responses.

API routes (``/api/...``) always answer one JSON shape::

    {"error": {"type": "not_found", "message": "no job 12", "details": {...}}}

An ``invalid_input`` error names the field by its label on the page ("Start frame: the file is
empty") and carries its internal name in ``details.field`` (``start_image``); a 409 ``conflict``
says what happened instead (for a cancel: the job was already sent, will finish and be charged).

Pages answer an HTML error page, and a request that needs a login is redirected to ``/login``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from framecast.core.errors import (
    AccessError,
    BatchInputError,
    ConfigurationError,
    DownloadError,
    ForbiddenError,
    FramecastError,
    InvalidInputError,
    JobStateError,
    NotAuthenticatedError,
    NotFoundError,
    ProviderError,
    TooManyAttemptsError,
)
from framecast.core.files import DISK_FULL_MESSAGE, is_disk_full
from framecast.web.field_labels import label

log = logging.getLogger(__name__)

# (status, type) for each error class; the first matching base class wins.
ERROR_STATUS: list[tuple[type[FramecastError], int, str]] = [
    (NotAuthenticatedError, 401, "not_authenticated"),
    (ForbiddenError, 403, "forbidden"),
    (TooManyAttemptsError, 429, "too_many_attempts"),
    (AccessError, 403, "forbidden"),
    (BatchInputError, 400, "invalid_batch_file"),
    (InvalidInputError, 400, "invalid_input"),
    (NotFoundError, 404, "not_found"),
    (JobStateError, 409, "conflict"),
    (ConfigurationError, 400, "configuration"),
    (ProviderError, 502, "provider_error"),
    (DownloadError, 502, "download_failed"),
    (FramecastError, 500, "error"),
]


def status_for(error: FramecastError) -> tuple[int, str]:
    for cls, status, kind in ERROR_STATUS:
        if isinstance(error, cls):
            return status, kind
    return 500, "error"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def error_body(kind: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "details": details or {}}}


async def _error_page(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
    from framecast.web.pages_context import page_context

    context = request.app.state.web
    templates: Jinja2Templates = context.templates
    values = {**(await page_context(request, context)), "status": status, "message": message}
    return templates.TemplateResponse(request, "error.html", values, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FramecastError)
    async def framecast_error(request: Request, exc: FramecastError) -> Response:
        status, kind = status_for(exc)
        details: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if isinstance(exc, BatchInputError):
            details = {"file": exc.path.name, "line": exc.line, "problem": exc.problem}
        elif isinstance(exc, InvalidInputError) and exc.field:
            # The field's internal name, for a page to point at; the message uses its label.
            details = {"field": exc.field}
        if isinstance(exc, ProviderError):
            details = {"provider": exc.provider, "category": exc.category.value}
        if isinstance(exc, TooManyAttemptsError):
            headers["Retry-After"] = str(int(exc.retry_after) + 1)
        if not wants_json(request):
            if isinstance(exc, NotAuthenticatedError):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            return await _error_page(request, status, str(exc), headers)
        return JSONResponse(error_body(kind, str(exc), details), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if not wants_json(request) and request.method == "GET":
            # A page address with a malformed id (``/batches/abc``) is simply not a page.
            return await _error_page(request, 404, "Page not found", {})
        problems = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")),
                "problem": e.get("msg"),
            }
            for e in exc.errors()
        ]
        # Named by the label the page shows ("Videos"), never by the internal name ("count"), and
        # by the label of this route's form when it has its own ("Class name").
        route = (request.method, str(getattr(request.scope.get("route"), "path", "")))
        message = (
            "; ".join(f"{label(str(p['field']), route=route)}: {p['problem']}" for p in problems)
            or "invalid request"
        )
        return JSONResponse(error_body("invalid_input", message, {"problems": problems}), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if not wants_json(request) and exc.status_code == 404:
            return await _error_page(request, 404, "Page not found", {})
        return JSONResponse(error_body(kind, str(exc.detail)), status_code=exc.status_code)

    async def storage_error(request: Request, exc: Exception) -> Response:
        """A value the database cannot hold, a full disk, an overflow: answered, not re-raised."""
        status, kind, message = unexpected_answer(exc)
        if status >= 500:
            log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        if not wants_json(request):
            return await _error_page(request, status, message, {})
        return JSONResponse(error_body(kind, message), status_code=status)

    for known in (DataError, OperationalError, OverflowError, RecursionError, OSError):
        app.add_exception_handler(known, storage_error)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        """What no other handler knows: a full disk or database is said plainly; anything else is a
        500 in the one shape. The exception's text (SQL, server paths) stays in the log."""
        status, kind, message = unexpected_answer(exc)
        if status >= 500:
            log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        if not wants_json(request):
            return await _error_page(request, status, message, {})
        return JSONResponse(error_body(kind, message), status_code=status)


def unexpected_answer(exc: Exception) -> tuple[int, str, str]:
    """(status, type, message) for an exception no handler of ours raised on purpose."""
    if is_disk_full(exc):
        return 507, "disk_full", DISK_FULL_MESSAGE
    if isinstance(exc, OverflowError | RecursionError):
        return 422, "invalid_input", "a value is out of range"
    if isinstance(exc, DataError):
        return 400, "invalid_input", "a value cannot be stored (out of range or not valid text)"
    return 500, "internal", "internal error; the server's log has the details"
