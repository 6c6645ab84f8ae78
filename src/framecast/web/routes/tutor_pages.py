"""The Tutor's HTML pages: home (start a session), a learning session, practice, progress, and the
real-time avatar room. Like the Studio's pages they only lay things out; the browser modules in
``web/static/js/tutor_*.js`` talk to the REST API and the conversation socket.

A session's page speaks the session's language; the other pages the learner's ``tutor_language``
preference (``web/tutor_text.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from framecast.db.accounts import User
from framecast.providers.tutor_registry import OFFLINE, tutor_label, tutor_missing
from framecast.tutor import sessions
from framecast.tutor.brain import DIFFICULTIES
from framecast.tutor.services import choose
from framecast.web.deps import Ctx
from framecast.web.routes.pages import render
from framecast.web.tutor_text import page_values, particle_words, ui_language

router = APIRouter(include_in_schema=False)


def tutor_values(context: Any, user: User, language: str | None = None) -> dict[str, Any]:
    """The values every Tutor page has; its words in ``language``, else the learner's preference."""
    chosen = choose(context.settings)
    preferred = sessions.preferred_language(user.preferences, context.settings.tutor.language)
    return {
        **page_values(ui_language(language or preferred)),
        "user_id": user.id,
        "difficulties": DIFFICULTIES,
        "tutor_language": preferred,
        "tutor_providers": {
            capability: tutor_label(capability, name, context.settings) for capability, name in chosen.items()
        },
        "offline_tutor": chosen["chat"] == OFFLINE,
        "tavus_configured": not tutor_missing("realtime", "tavus", context.settings),
        "max_audio_bytes": context.settings.tutor.max_audio_bytes,
        "max_text_chars": context.settings.tutor.max_text_chars,
        "max_turn_seconds": context.settings.tutor.max_turn_seconds,
    }


@router.get("/tutor")
async def tutor_home(request: Request, context: Ctx) -> Response:
    return await render(request, context, "tutor_home.html", "tutor", lambda u: tutor_values(context, u))


@router.get("/tutor/sessions/{session_id}")
async def tutor_session(request: Request, context: Ctx, session_id: str) -> Response:
    """Raises ``NotFoundError`` for another user's session, exactly as for a missing one."""

    def values(user: User) -> dict[str, Any]:
        info = sessions.owned_session(context.db, session_id, user.id)
        language = ui_language(info.language)
        return {
            **tutor_values(context, user, language),
            "session": info.to_json(),
            "particle_words": particle_words(language, info.topic),
        }

    return await render(request, context, "tutor_session.html", "tutor", values)


@router.get("/tutor/practice")
async def tutor_practice(request: Request, context: Ctx) -> Response:
    return await render(request, context, "tutor_practice.html", "tutor", lambda u: tutor_values(context, u))


def own_progress_sources(user_id: int) -> dict[str, str]:
    """Where the progress page (``tutor_progress.js``) reads a learner's own progress; a teacher's
    view reads the same answers elsewhere (``class_pages.py``)."""
    return {
        "stats": f"/api/progress/{user_id}/stats",
        "weaknesses": f"/api/progress/{user_id}/weaknesses",
        "sessions": "/api/conversations/sessions",
    }


@router.get("/tutor/progress")
async def tutor_progress(request: Request, context: Ctx) -> Response:
    def values(user: User) -> dict[str, Any]:
        return {**tutor_values(context, user), "progress_sources": own_progress_sources(user.id)}

    return await render(request, context, "tutor_progress.html", "tutor", values)


@router.get("/tutor/live")
async def tutor_live(request: Request, context: Ctx) -> Response:
    return await render(request, context, "tutor_live.html", "tutor", lambda u: tutor_values(context, u))


@router.get("/tutor/portrait.png")
async def tutor_portrait(context: Ctx) -> FileResponse:
    """The default avatar portrait (drawn by the project), the poster of the avatar video."""

    def make() -> Path:
        from framecast.providers.offline.portrait import default_portrait_png

        path = Path(context.settings.data_dir) / "tutor" / "portrait.png"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            default_portrait_png(path)
        return path

    path = await anyio.to_thread.run_sync(make)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})
