"""``/api/conversations/sessions``: start, list, read and end the caller's Tutor sessions.

Every route answers only the caller's own sessions (administrators included); another user's
session id answers 404 exactly like a missing one. The seed's paths are kept.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query
from pydantic import BaseModel

from framecast.core.errors import ForbiddenError
from framecast.tutor import sessions
from framecast.web.deps import Ctx, CurrentUser

router = APIRouter(prefix="/api/conversations/sessions", tags=["tutor"])

MAX_PAGE = 100


class SessionCreate(BaseModel):
    difficulty: str = "beginner"
    topic: str | None = None
    language: str | None = None
    # The seed sent the learner's id; accepted when it is the caller's own.
    user_id: int | None = None


@router.post("", status_code=201)
async def create_session(
    context: Ctx, user: CurrentUser, body: SessionCreate | None = None
) -> dict[str, Any]:
    """Start a session; ``language`` defaults to the caller's ``tutor_language`` preference.

    Answers 400 naming the field for an unknown difficulty, topic or language, and 403 when
    ``user_id`` is someone else's.
    """
    request = body or SessionCreate()
    if request.user_id is not None and request.user_id != user.id:
        raise ForbiddenError("user_id: you can only start a session for yourself")
    info = await anyio.to_thread.run_sync(
        lambda: sessions.create_session(
            context.db,
            user.id,
            difficulty=request.difficulty,
            topic=request.topic,
            language=request.language,
            default_language=context.settings.tutor.language,
        )
    )
    # The seed's SessionResponse: a new session has no messages and no corrections yet.
    return {**info.to_json(), "conversations": [], "corrections": []}


@router.get("")
async def list_sessions(
    context: Ctx, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
) -> list[dict[str, Any]]:
    """The caller's sessions, newest first (without messages)."""
    found = await anyio.to_thread.run_sync(lambda: sessions.list_sessions(context.db, user.id, limit=limit))
    return [info.to_json() for info in found]


@router.get("/{session_id}")
async def get_session(context: Ctx, user: CurrentUser, session_id: str) -> dict[str, Any]:
    """The session with ``conversations`` (by position) and ``corrections``."""
    detail = await anyio.to_thread.run_sync(sessions.session_detail, context.db, session_id, user.id)
    answer = detail.to_json()
    answer["conversations"] = [context.media_links.message(m) for m in answer["conversations"]]
    return answer


@router.post("/{session_id}/end")
async def end_session(context: Ctx, user: CurrentUser, session_id: str) -> dict[str, Any]:
    """End the session and score it: the session plus ``scores`` {grammar, vocabulary, pronunciation}
    (each None when it could not be measured). 400 when the session has ended already."""
    ended = await anyio.to_thread.run_sync(sessions.end_session, context.db, session_id, user.id)
    return ended.to_json()


@router.get("/{session_id}/conversations")
async def get_messages(context: Ctx, user: CurrentUser, session_id: str) -> list[dict[str, Any]]:
    """Every message of the session, oldest first, each with its ``corrections``."""
    detail = await anyio.to_thread.run_sync(sessions.session_detail, context.db, session_id, user.id)
    return [context.media_links.message(message.to_json()) for message in detail.messages]


@router.get("/{session_id}/corrections")
async def get_corrections(context: Ctx, user: CurrentUser, session_id: str) -> list[dict[str, Any]]:
    """Every correction of the session in message order."""
    detail = await anyio.to_thread.run_sync(sessions.session_detail, context.db, session_id, user.id)
    return [correction.to_json() for correction in detail.corrections]
