"""JSON bodies that may be large (a recording in base64) decoded and validated off the event loop.

FastAPI decodes a declared body model on the event loop before the route runs; a few megabytes of
JSON then stall every other request for tens of milliseconds. A route that takes such a body
declares it with :func:`json_body` instead, and :func:`json_body_openapi` keeps it in the schema.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Bodies larger than this are decoded in a worker thread.
THREAD_BYTES = 64 * 1024


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency that reads the request's JSON body as ``model``; a body that does not fit is a
    422 in the one error shape, like FastAPI's own validation."""

    async def read(request: Request) -> M:
        raw = await request.body()

        def parse() -> M:
            return model.model_validate_json(raw or b"null")

        try:
            if len(raw) > THREAD_BYTES:
                return await anyio.to_thread.run_sync(parse)
            return parse()
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None

    return read


def json_body_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body is read by :func:`json_body`."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
