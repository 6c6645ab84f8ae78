"""``/api/progress/{user_id}``: a learner's scores, statistics and weaknesses (see ``tutor/progress.py``).

Only the caller's own id is answered (administrators included); any other id answers 404 with the
same message whether or not that user exists. Unlike the seed, ``/stats`` creates a missing progress
row instead of answering 404, as ``/{user_id}`` does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query

from framecast.core.errors import NotFoundError
from framecast.db.accounts import User
from framecast.tutor import sessions
from framecast.web.deps import Ctx, CurrentUser

router = APIRouter(prefix="/api/progress", tags=["tutor"])


def _own(user: User, user_id: int) -> None:
    if user_id != user.id:
        raise NotFoundError(f"no progress for user {user_id}")


@router.get("/{user_id}")
async def get_progress(context: Ctx, user: CurrentUser, user_id: int) -> dict[str, Any]:
    """The scores and totals; an all-zero row is created on first read."""
    _own(user, user_id)
    info = await anyio.to_thread.run_sync(sessions.get_progress, context.db, user_id)
    return info.to_json()


@router.get("/{user_id}/stats")
async def get_stats(context: Ctx, user: CurrentUser, user_id: int) -> dict[str, Any]:
    """``{progress, correction_stats, recent_sessions, average_session_duration,
    total_conversations, history}``; ``history`` is the chart's points, oldest first."""
    _own(user, user_id)
    return await anyio.to_thread.run_sync(sessions.progress_stats, context.db, user_id)


@router.get("/{user_id}/weaknesses")
async def get_weaknesses(
    context: Ctx,
    user: CurrentUser,
    user_id: int,
    language: Annotated[
        Literal["en", "ko"] | None, Query(description="suggestions' language; default: your preference")
    ] = None,
) -> dict[str, Any]:
    """``{weakness_areas, common_mistakes, recent_corrections, improvement_suggestions}``."""
    _own(user, user_id)
    chosen = language or sessions.preferred_language(user.preferences, context.settings.tutor.language)
    return await anyio.to_thread.run_sync(
        lambda: sessions.progress_weaknesses(context.db, user_id, language=chosen)
    )
