"""The classes pages: ``/classes`` (a teacher's classes, or a learner's join form and teachers) and
``/classes/learners/{id}`` (a teacher's view of one learner of their classes).

They only lay things out; ``static/js/classes.js`` and ``static/js/tutor_progress.js`` call
``/api/classes`` and ``/api/teacher`` (``routes/classes.py``). The learner's view is the learner's own
progress page (``progress_body.html``) reading the teacher's routes: a non-teacher gets 403 and a
learner outside the teacher's classes 404, before anything is drawn.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from framecast.db.accounts import User
from framecast.tutor import classes
from framecast.tutor.class_access import is_teacher
from framecast.web.deps import Ctx
from framecast.web.routes.pages import render
from framecast.web.routes.tutor_pages import tutor_values
from framecast.web.tutor_text import about_learner

router = APIRouter(include_in_schema=False)


def teacher_progress_sources(learner_id: int) -> dict[str, str]:
    """Where the teacher's view reads what the learner's progress page reads
    (``tutor_pages.own_progress_sources``)."""
    base = f"/api/teacher/learners/{learner_id}"
    return {"stats": f"{base}/stats", "weaknesses": f"{base}/weaknesses", "sessions": f"{base}/sessions"}


@router.get("/classes")
async def classes_page(request: Request, context: Ctx) -> Response:
    return await render(request, context, "classes.html", "classes", lambda u: {"is_teacher": is_teacher(u)})


@router.get("/classes/learners/{learner_id}")
async def class_learner(request: Request, context: Ctx, learner_id: int) -> Response:
    """Raises ``ForbiddenError`` for a non-teacher and ``NotFoundError`` for someone who is not in
    one of the visitor's classes."""

    def values(user: User) -> dict[str, Any]:
        card = classes.learner_card(context.db, user, learner_id)
        shared = tutor_values(context, user)
        return {
            **shared,
            # The progress body's words, said to the teacher about the learner.
            "t": about_learner(shared["ui_language"], card.name),
            "learner": card.to_json(),
            "progress_sources": teacher_progress_sources(learner_id),
        }

    return await render(request, context, "class_learner.html", "classes", values)
