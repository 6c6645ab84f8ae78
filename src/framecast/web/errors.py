"""The one place errors become HTTP responses.

API routes (``/api/...``) always answer one JSON shape::

    {"error": {"type": "not_found", "message": "no job 12", "details": {...}}}

Pages answer an HTML error page, and a request that needs a login is redirected to ``/login``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FramecastError)
    async def framecast_error(request: Request, exc: FramecastError) -> Response:
        status, kind = status_for(exc)
        details: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if isinstance(exc, BatchInputError):
            details = {"file": exc.path.name, "line": exc.line, "problem": exc.problem}
        if isinstance(exc, ProviderError):
            details = {"provider": exc.provider, "category": exc.category.value}
        if isinstance(exc, TooManyAttemptsError):
            headers["Retry-After"] = str(int(exc.retry_after) + 1)
        if not wants_json(request):
            if isinstance(exc, NotAuthenticatedError):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            templates: Jinja2Templates = request.app.state.web.templates
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": status, "message": str(exc)},
                status_code=status,
                headers=headers,
            )
        return JSONResponse(error_body(kind, str(exc), details), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")),
                "problem": e.get("msg"),
            }
            for e in exc.errors()
        ]
        message = "; ".join(f"{p['field']}: {p['problem']}" for p in problems) or "invalid request"
        return JSONResponse(error_body("invalid_input", message, {"problems": problems}), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if not wants_json(request) and exc.status_code == 404:
            templates: Jinja2Templates = request.app.state.web.templates
            return templates.TemplateResponse(
                request, "error.html", {"status": 404, "message": "Page not found"}, status_code=404
            )
        return JSONResponse(error_body(kind, str(exc.detail)), status_code=exc.status_code)
