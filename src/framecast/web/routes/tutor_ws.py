"""The Tutor conversation socket ``/ws/conversation/{session_id}`` and the media of its messages.

The socket speaks the seed's protocol (see ``tutor/engine.py``): client ``audio`` / ``text`` /
``control``; server ``transcription``, ``correction``, ``response``, ``video_update``, ``error``.
A client authenticates like any API client: ``?token=`` (a token from ``POST /api/auth/login``), an
``Authorization: Bearer`` header, or the browser's session cookie — the cookie only when the
``Origin`` is this server, because browsers send cookies on cross-site WebSocket handshakes.
Without credentials the handshake is accepted and the socket closed at once with code 4401: a
handshake refused before it is accepted reaches a browser as a bare HTTP 403, which a page cannot
tell from a network failure, so it would keep reconnecting.
A problem with one message, or a session that is not the caller's, is answered with ``error`` and
the socket stays open; ``{"type": "control", "data": {"command": "stop"}}`` closes it. A message
bigger than a recording needs is refused by the server itself (``framecast serve`` sets uvicorn's
``ws_max_size``), which closes the socket with code 1009.

The ``audio_url`` and ``video_url`` of every message sent come from ``MediaLinks`` (absolute and
signed when a public address is configured), so a client on another site can play them; the two
media routes below answer a signed link without a login, and otherwise only the owner.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse

from framecast.core.errors import NotFoundError
from framecast.core.media_types import MP3, audio_type_of
from framecast.core.settings import Settings
from framecast.tutor import public_audio, store
from framecast.tutor.brain import Lesson
from framecast.tutor.recordings import max_message_bytes
from framecast.tutor.runtime import TutorRuntime
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, MediaOwner, authenticate
from framecast.web.stored_media import stored_response

router = APIRouter(tags=["tutor"])

# Close code of a socket opened without valid credentials (the 4000s are the application's own).
NOT_LOGGED_IN = 4401


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's WebSocket options for this socket (``framecast serve`` passes them): a message may
    be as big as a recording of ``tutor.max_audio_bytes`` in base64 plus its JSON, and no bigger
    (uvicorn's default is 16 MiB, parsed on the event loop)."""
    return {"ws_max_size": max_message_bytes(settings.tutor.max_audio_bytes)}


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: cookies are not sent on its behalf
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


def _runtime(context: WebContext) -> TutorRuntime:
    runtime = context.tutor
    if runtime is None:
        raise RuntimeError("the Tutor runtime was not created with the application")
    return runtime


@router.websocket("/ws/conversation/{session_id}")
async def conversation(websocket: WebSocket, session_id: str) -> None:
    context: WebContext = websocket.app.state.web
    runtime = _runtime(context)
    # Browsers send cookies on cross-site WebSocket handshakes: the cookie counts only from here.
    caller = await authenticate(websocket, cookie=_same_origin(websocket))
    await websocket.accept()
    if caller is None:
        await websocket.close(
            code=NOT_LOGGED_IN, reason="log in first: send ?token=<token> or the session cookie"
        )
        return
    lock = asyncio.Lock()
    links = context.media_links

    async def send(payload: dict[str, Any]) -> None:
        data = payload.get("data")
        if isinstance(data, dict):
            payload = {**payload, "data": links.message(data)}
        async with lock:
            await websocket.send_text(json.dumps(payload, ensure_ascii=False))

    unsubscribe = runtime.hub.subscribe(session_id, send)
    try:
        refusal: str | None = None
        lesson = Lesson(session_id=session_id)  # stands in until the session is known to be the caller's
        try:
            lesson, ended = await anyio.to_thread.run_sync(
                store.lesson_for, runtime.db, session_id, caller.user.id
            )
        except NotFoundError as exc:
            refusal = str(exc)
            unsubscribe()
        else:
            refusal = str(store.session_ended(session_id)) if ended else None
        if refusal is not None:
            await send({"type": "error", "data": {"message": refusal}})
        else:
            await runtime.engine.open(lesson, send)
        while True:
            try:
                raw = await websocket.receive_text()
            except KeyError:  # a binary frame
                await send({"type": "error", "data": {"message": "send JSON text frames, not binary ones"}})
                continue
            if not await runtime.engine.handle(raw, lesson, send, refusal=refusal):
                break
        await websocket.close(code=1000)
    except WebSocketDisconnect:
        pass
    finally:
        unsubscribe()


def _owned_message(context: WebContext, message_id: str, user_id: int | None) -> Any:
    """The message, if ``user_id`` owns it (None: a signed link, any owner)."""
    found = store.message_owner(context.db, message_id)
    if found is None or (user_id is not None and found[1] != user_id):
        raise NotFoundError(f"no tutor message {message_id}")
    return found[0]


@router.get("/api/tutor/messages/{message_id}/audio", response_class=FileResponse)
# HEAD too (players ask for a file's size first); one operation in the OpenAPI schema.
@router.head("/api/tutor/messages/{message_id}/audio", response_class=FileResponse, include_in_schema=False)
async def message_audio(request: Request, context: Ctx, owner: MediaOwner, message_id: str) -> Response:
    """The speech of an assistant message (MP3/WAV), or the recording of a spoken user message."""
    row = await anyio.to_thread.run_sync(_owned_message, context, message_id, owner)
    if row.audio_path is None:
        raise NotFoundError(f"message {message_id} has no audio")
    files, key = await context.locate(row.audio_path)
    kind = audio_type_of(Path(row.audio_path).name)
    return await stored_response(
        request,
        files,
        key,
        media_type=kind.mime if kind else "application/octet-stream",
        missing=f"the audio of message {message_id} is no longer on disk",
    )


@router.get("/api/tutor/messages/{message_id}/video", response_class=FileResponse)
# HEAD too (players ask for a file's size first); one operation in the OpenAPI schema.
@router.head("/api/tutor/messages/{message_id}/video", response_class=FileResponse, include_in_schema=False)
async def message_video(request: Request, context: Ctx, owner: MediaOwner, message_id: str) -> Response:
    """The avatar video of an assistant message (MP4; ``Range`` requests get 206)."""
    row = await anyio.to_thread.run_sync(_owned_message, context, message_id, owner)
    if row.video_path is None:
        state = row.video_state or "not wanted"
        raise NotFoundError(f"message {message_id} has no video yet (state: {state})")
    files, key = await context.locate(row.video_path)
    return await stored_response(
        request,
        files,
        key,
        media_type="video/mp4",
        missing=f"the video of message {message_id} is no longer on disk",
    )


@router.get("/public/tutor-audio/{name}", include_in_schema=False)
async def published_audio(context: Ctx, name: str) -> FileResponse:
    """Speech published for a remote avatar renderer (the random name is the only key)."""
    path = await anyio.to_thread.run_sync(public_audio.find, context.settings, name)
    if path is None:
        raise NotFoundError("no such clip (it may have expired)")
    return FileResponse(path, media_type=(audio_type_of(path.name) or MP3).mime)
