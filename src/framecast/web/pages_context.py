"""What every page template needs about the visitor: ``user`` and ``csrf_token`` (see base.html)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from framecast.web.context import WebContext
from framecast.web.deps import authenticate


async def page_context(request: Request, context: WebContext) -> dict[str, Any]:
    """``{"user": User | None, "csrf_token": str | None}`` for the request's cookie session.

    ``csrf_token`` is set only for a cookie session: forms and ``fetch`` calls from the page send it
    back (``csrf_token`` field, ``X-CSRF-Token`` header). The lookup goes through
    ``web.deps.authenticate``, which finds ``context`` on ``request.app`` itself; the parameter keeps
    page handlers uniform (they all hold a ``Ctx``).
    """
    caller = await authenticate(request)
    if caller is None:
        return {"user": None, "csrf_token": None}
    return {"user": caller.user, "csrf_token": caller.csrf_token}
