"""``POST /api/callbacks/genaipro/{token}``: GenAIPro v2 says a task finished. No login: the token in
the URL (an HMAC of the platform secret, see ``providers/genaipro/callbacks.py``) is the proof.

The body is never read for results: a callback only wakes the pollers of this process, which read
the tasks from GenAIPro themselves. Workers in other processes keep polling at their own pace.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from framecast.core.errors import NotFoundError
from framecast.providers.genaipro.callbacks import token_valid
from framecast.providers.genaipro.tasks import wake_pollers
from framecast.web.deps import Ctx

router = APIRouter(tags=["callbacks"])


class CallbackPublic(BaseModel):
    woken: int  # pollers of this process told to look now


@router.post("/api/callbacks/genaipro/{token}", response_model=CallbackPublic, status_code=202)
async def genaipro_callback(token: str, ctx: Ctx) -> CallbackPublic:
    """Raises :class:`NotFoundError` (404) for a wrong token, saying no more than an unknown path."""
    if not token_valid(ctx.settings, token):
        raise NotFoundError("not found")
    return CallbackPublic(woken=wake_pollers())
