"""``/api/practice``: practice phrases, their spoken example, and the caller's scored attempts.

Every route needs a login. Phrases are shared by everyone; attempts are the caller's own (another
user's never appear). Scoring and its progress rule live in ``tutor/practice.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from framecast.tutor import practice
from framecast.tutor.services import TutorServices
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser

router = APIRouter(prefix="/api/practice", tags=["tutor"])

MAX_PAGE = 100


class AttemptCreate(BaseModel):
    phrase_id: int
    # Base64 of the recording (webm/opus, ogg, mp4/aac, wav, mp3); a ``data:`` URL prefix is accepted.
    audio: str
    mime: str | None = None


def _services(context: WebContext) -> TutorServices:
    if context.tutor is None:
        raise RuntimeError("the Tutor runtime was not created with the application")
    return context.tutor.services


@router.get("/phrases")
async def list_phrases(
    context: Ctx,
    user: CurrentUser,
    category: Annotated[str | None, Query(description="one of brain.CATEGORIES; empty: any")] = None,
    difficulty: Annotated[
        str | None, Query(description="beginner, intermediate or advanced; empty: any")
    ] = None,
) -> list[dict[str, Any]]:
    """``[{id, category, difficulty, english_text, korean_text}]`` by id; 400 naming the field for an
    unknown category or difficulty."""
    found = await anyio.to_thread.run_sync(
        lambda: practice.list_phrases(context.db, category=category, difficulty=difficulty)
    )
    return [phrase.to_json() for phrase in found]


@router.api_route("/phrases/{phrase_id}/audio", methods=["GET", "HEAD"], response_class=FileResponse)
async def phrase_audio(context: Ctx, user: CurrentUser, phrase_id: int) -> FileResponse:
    """The phrase spoken by the configured voice (MP3, synthesised once and cached); 404 for an
    unknown phrase."""
    path = await practice.phrase_audio(
        context.db, _services(context), Path(context.settings.data_dir), phrase_id
    )
    return FileResponse(path, media_type="audio/mpeg")


@router.post("/attempts", status_code=201)
async def create_attempt(context: Ctx, user: CurrentUser, body: AttemptCreate) -> dict[str, Any]:
    """Score a recording of the phrase: ``{id, phrase_id, transcript, score, words, created_at}``.

    Answers 400 for audio that is not base64, over ``FRAMECAST_TUTOR__MAX_AUDIO_BYTES``, does not
    decode or holds no speech, and 404 for an unknown phrase. The score moves the caller's
    pronunciation score (see ``tutor/practice.py``).
    """
    attempt = await practice.score_attempt(
        context.db,
        _services(context),
        user.id,
        body.phrase_id,
        body.audio,
        mime=body.mime,
        max_audio_bytes=context.settings.tutor.max_audio_bytes,
    )
    return attempt.to_json()


@router.get("/attempts")
async def list_attempts(
    context: Ctx,
    user: CurrentUser,
    phrase_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> list[dict[str, Any]]:
    """The caller's attempts (at ``phrase_id`` when given), newest first."""
    found = await anyio.to_thread.run_sync(
        lambda: practice.list_attempts(context.db, user.id, phrase_id=phrase_id, limit=limit)
    )
    return [attempt.to_json() for attempt in found]
