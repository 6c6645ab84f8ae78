"""``/api/avatar-sessions``: open and end real-time Tavus avatar conversations (the Tutor's live mode).

A Tavus conversation bills and holds one of the account's concurrency slots from the moment it is
created until it is ended, so the page ends it when the learner leaves. Ending is idempotent
(ending an ended conversation succeeds) and answers only the owner; another user's conversation
id answers 404 like an unknown one.

``POST /api/avatar-sessions/tavus/{id}`` does the same as ``DELETE``: it exists for
``navigator.sendBeacon``, which can only POST and cannot set headers. A cookie-authenticated beacon
carries the CSRF token as a form field, which ``web/deps.py`` already accepts::

    navigator.sendBeacon(url, new URLSearchParams({csrf_token: token}))

No query-string token is accepted: it would end up in access logs.

Tests inject the Tavus transport as ``app.state.tavus_transport`` (an ``httpx.MockTransport``);
without it the real network is used through ``core/http.py``'s client.
"""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select

from framecast.core.errors import (
    ConfigurationError,
    ErrorCategory,
    ForbiddenError,
    NotFoundError,
    PermanentError,
    ProviderError,
)
from framecast.core.http import build_http_client
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.tutor import AvatarSession
from framecast.providers.base import LiveConversation, RealtimeAvatar
from framecast.providers.tutor_registry import TutorContext, build_tutor, tutor_missing
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser

router = APIRouter(prefix="/api/avatar-sessions", tags=["tutor"])

PROVIDER = "tavus"
CONVERSATION_NAME = "English Correction Session"
# Seconds before Tavus ends a call by itself (the original used 1800, then 120 to save credits).
MAX_CALL_S = 600
CONVERSATIONAL_CONTEXT = (
    "You are a friendly, patient English teacher talking with a language learner. "
    "Correct every mistake right away: say what was wrong, why, and give the correct sentence, "
    "then ask the learner to repeat it. Praise sentences that are correct. Keep every answer under "
    "two sentences and keep the conversation going with a simple question."
)
KOREAN_LEARNER = (
    " The learner's first language is Korean; when an explanation is hard, you may add a very short "
    "Korean translation."
)


class AvatarSessionCreate(BaseModel):
    # The seed sent the learner's id; accepted when it is the caller's own.
    user_id: int | None = None


def _tavus(context: WebContext, http: httpx.AsyncClient) -> RealtimeAvatar:
    """Tavus built by the registry on ``http``; ``ConfigurationError`` naming what is not set yet."""
    missing = tutor_missing("realtime", PROVIDER, context.settings)
    if missing:
        raise ConfigurationError(f"real-time mode needs Tavus settings: set {' and '.join(missing)}")
    return build_tutor("realtime", PROVIDER, TutorContext(context.settings, http=http))


def _http(request: Request) -> httpx.AsyncClient:
    transport: httpx.AsyncBaseTransport | None = getattr(request.app.state, "tavus_transport", None)
    return build_http_client(
        connect_timeout_s=10.0, read_timeout_s=30.0, max_connections=4, transport=transport
    )


@router.post("/create")
async def create_avatar_session(
    request: Request, context: Ctx, user: CurrentUser, body: AvatarSessionCreate | None = None
) -> dict[str, Any]:
    """Open a Tavus conversation: ``{session_id, room_url, provider: "tavus"}``.

    Answers 400 (configuration) without a Tavus key and persona, 403 for someone else's ``user_id``,
    and 502 with the provider's reason otherwise, e.g. when the account is at its maximum of
    concurrent conversations (``details.category`` "rate_limit").
    """
    if body is not None and body.user_id is not None and body.user_id != user.id:
        raise ForbiddenError("user_id: you can only open a session for yourself")
    context_text = CONVERSATIONAL_CONTEXT
    if (user.preferences or {}).get("tutor_language") == "ko":
        context_text += KOREAN_LEARNER
    greeting = f"Hi {user.name}! " if user.name else "Hi! "
    async with _http(request) as http:
        tavus = _tavus(context, http)
        conversation = await tavus.create(
            conversation_name=CONVERSATION_NAME,
            conversational_context=context_text,
            custom_greeting=greeting + "I'm your English teacher. Tell me about your day!",
            audio_only=False,
            properties={
                "max_call_duration": MAX_CALL_S,
                "participant_left_timeout": 60,
                "participant_absent_timeout": 300,
                "enable_recording": False,
                "enable_closed_captions": True,
                "language": "english",
            },
        )
        try:
            room_url = _room_url(conversation)
            await anyio.to_thread.run_sync(_store, context, user, conversation.conversation_id, room_url)
        except BaseException:
            # The conversation bills and holds a slot until ended: never leave one behind.
            # The original error is the one worth reporting, not a failure to end.
            with anyio.CancelScope(shield=True), contextlib.suppress(ProviderError):
                await tavus.end(conversation.conversation_id)
            raise
    return {"session_id": conversation.conversation_id, "room_url": room_url, "provider": PROVIDER}


def _room_url(conversation: LiveConversation) -> str:
    if not conversation.conversation_url:
        raise PermanentError(
            f"Tavus created conversation {conversation.conversation_id} without a room URL",
            provider=PROVIDER,
            category=ErrorCategory.SERVER,
        )
    return conversation.conversation_url


def _store(context: WebContext, user: User, conversation_id: str, room_url: str) -> None:
    with context.db.session() as session:
        session.add(
            AvatarSession(
                user_id=user.id, provider=PROVIDER, conversation_id=conversation_id, room_url=room_url
            )
        )


@router.delete("/tavus/{conversation_id}")
async def end_avatar_session(
    request: Request, context: Ctx, user: CurrentUser, conversation_id: str
) -> dict[str, Any]:
    """End the caller's Tavus conversation: ``{success: true, message}``; ending twice succeeds."""
    already = await anyio.to_thread.run_sync(_owned_ended, context, user.id, conversation_id)
    if not already:
        async with _http(request) as http:
            tavus = _tavus(context, http)
            try:
                await tavus.end(conversation_id)
            except ProviderError as exc:
                if not _already_ended(exc):
                    raise
        await anyio.to_thread.run_sync(_mark_ended, context, user.id, conversation_id)
    return {"success": True, "message": f"conversation {conversation_id} ended"}


@router.post("/tavus/{conversation_id}")
async def end_avatar_session_beacon(
    request: Request, context: Ctx, user: CurrentUser, conversation_id: str
) -> dict[str, Any]:
    """The same as ``DELETE``, for ``navigator.sendBeacon`` (CSRF token as a ``csrf_token`` form field)."""
    return await end_avatar_session(request, context, user, conversation_id)


def _owned_ended(context: WebContext, user_id: int, conversation_id: str) -> bool:
    """Whether the caller's conversation is already ended; ``NotFoundError`` if it is not theirs."""
    with context.db.session() as session:
        row = session.scalar(select(AvatarSession).where(AvatarSession.conversation_id == conversation_id))
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"no avatar session {conversation_id}")
        return row.ended_at is not None


def _mark_ended(context: WebContext, user_id: int, conversation_id: str) -> None:
    with context.db.session() as session:
        row = session.scalar(
            select(AvatarSession).where(
                AvatarSession.conversation_id == conversation_id, AvatarSession.user_id == user_id
            )
        )
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()


def _already_ended(error: ProviderError) -> bool:
    """Tavus answers an unknown/ended conversation with 404/410, or a 400 saying it has ended."""
    if error.status_code in (404, 410):
        return True
    return error.status_code == 400 and "ended" in error.message.lower()
