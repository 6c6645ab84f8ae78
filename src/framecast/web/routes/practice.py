"""``/api/practice``: practice phrases, their spoken example, and the caller's scored attempts.

Every route needs a login. Phrases are shared by everyone; attempts are the caller's own (another
user's never appear). Scoring and its progress rule live in ``tutor/practice.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from framecast.tutor import practice, sessions
from framecast.tutor.brain import LANGUAGES, Language
from framecast.tutor.runtime import TutorRuntime
from framecast.tutor.services import TutorServices
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser, MediaOwner
from framecast.web.json_bodies import json_body, json_body_openapi

router = APIRouter(prefix="/api/practice", tags=["tutor"])

MAX_PAGE = 100


class AttemptCreate(BaseModel):
    phrase_id: int
    # Base64 of the recording (webm/opus, ogg, mp4/aac, wav, mp3); a ``data:`` URL prefix is accepted.
    audio: str
    mime: str | None = None


def _runtime(context: WebContext) -> TutorRuntime:
    if context.tutor is None:
        raise RuntimeError("the Tutor runtime was not created with the application")
    return context.tutor


def _services(context: WebContext) -> TutorServices:
    return _runtime(context).services


def learner_language(preferences: dict[str, Any] | None, default: str) -> Language:
    """The learner's tutor language (their preference, else the configured one), for notes."""
    chosen = sessions.preferred_language(preferences, default)
    return next((language for language in LANGUAGES if language == chosen), "en")


@router.get("/phrases")
async def list_phrases(
    context: Ctx,
    user: CurrentUser,
    category: Annotated[str | None, Query(description="one of brain.CATEGORIES; empty: any")] = None,
    difficulty: Annotated[
        str | None, Query(description="beginner, intermediate or advanced; empty: any")
    ] = None,
) -> list[dict[str, Any]]:
    """``[{id, category, difficulty, english_text, korean_text, audio_url}]`` by id (``audio_url``: the
    spoken example, from ``MediaLinks``); 400 naming the field for an unknown category or difficulty."""
    found = await anyio.to_thread.run_sync(
        lambda: practice.list_phrases(context.db, category=category, difficulty=difficulty)
    )
    links = context.media_links
    return [{**phrase.to_json(), "audio_url": links.url(phrase_audio_path(phrase.id))} for phrase in found]


def phrase_audio_path(phrase_id: int) -> str:
    return f"{router.prefix}/phrases/{phrase_id}/audio"


@router.get("/phrases/{phrase_id}/audio", response_class=FileResponse)
# HEAD too (players ask for a file's size first); one operation in the OpenAPI schema.
@router.head("/phrases/{phrase_id}/audio", response_class=FileResponse, include_in_schema=False)
async def phrase_audio(context: Ctx, _: MediaOwner, phrase_id: int) -> FileResponse:
    """The phrase spoken by the configured voice (MP3, synthesised once and cached); 404 for an
    unknown phrase. Any logged-in user may hear it, and a signed link needs no login."""
    path = await practice.phrase_audio(
        context.db, _services(context), Path(context.settings.data_dir), phrase_id
    )
    return FileResponse(path, media_type="audio/mpeg")


@router.post("/attempts", status_code=201, openapi_extra=json_body_openapi(AttemptCreate))
async def create_attempt(
    context: Ctx,
    user: CurrentUser,
    # Decoded off the event loop: it holds a recording in base64 (web/json_bodies.py).
    body: Annotated[AttemptCreate, Depends(json_body(AttemptCreate))],
) -> dict[str, Any]:
    """Score a recording of the phrase: ``{id, phrase_id, transcript, score, words, created_at}``.

    Answers 400 for audio that is not base64, over ``FRAMECAST_TUTOR__MAX_AUDIO_BYTES``, not a
    recording (the message says what it looks like), longer than
    ``FRAMECAST_TUTOR__MAX_PRACTICE_SECONDS``, does not decode or holds no speech, or a ``mime``
    with a NUL or a lone surrogate; 404 for an unknown phrase; 429 (``Retry-After``) when the
    caller already has ``FRAMECAST_TUTOR__RECOGNITIONS_PER_USER`` recordings being heard. The score
    moves the caller's pronunciation score (see ``tutor/practice.py``). Each word carries ``flagged``
    (it scored under ``FRAMECAST_TUTOR__PRONUNCIATION_THRESHOLD``) and, when flagged, a ``note`` on
    what was heard, in the caller's tutor language.
    """
    runtime = _runtime(context)
    tutor = context.settings.tutor
    attempt = await practice.score_attempt(
        context.db,
        runtime.services,
        user.id,
        body.phrase_id,
        body.audio,
        mime=body.mime,
        max_audio_bytes=tutor.max_audio_bytes,
        max_seconds=tutor.max_practice_seconds,
        recognition=runtime.recognition,
        threshold=tutor.pronunciation_threshold,
        language=learner_language(user.preferences, tutor.language),
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
