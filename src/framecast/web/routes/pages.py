"""The Studio's HTML pages. They only lay out forms and lists; the work happens in the REST API.

Every page needs a login: a visitor without one is redirected to ``/login?next=<the page>``, and ``/``
leads to ``/setup`` while no account exists. Pages render Jinja2 templates from ``web/templates``
with the user and the session's CSRF token (``web/pages_context.py``); the browser modules under
``web/static/js`` then call the API with that token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from framecast.core.errors import ConfigurationError, ForbiddenError, NotFoundError
from framecast.db.accounts import User
from framecast.db.models import Batch
from framecast.providers import registry
from framecast.providers.base import (
    MAX_COUNT,
    MAX_DURATION_S,
    MAX_INGREDIENTS,
    MIN_DURATION_S,
    OPTION_TITLES,
    PERSON_GENERATION,
    RESOLUTIONS,
    VIDEO_ONLY_OPTIONS,
    Mode,
)
from framecast.studio.batches import BATCH_KINDS
from framecast.web.context import WebContext
from framecast.web.deps import Ctx
from framecast.web.pages_context import page_context
from framecast.web.preferences import read_preferences
from framecast.web.provider_access import key_source
from framecast.web.routes.auth import needs_setup
from framecast.web.security.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class StudioMode:
    name: str
    title: str
    blurb: str
    action: str
    placeholder: str


STUDIO_MODES = (
    StudioMode(
        "text",
        "Text → video",
        "Describe a scene and get a video of it.",
        "Generate video",
        "A red fox trotting through fresh snow at dawn, low camera, soft light",
    ),
    StudioMode(
        "frames",
        "Frames → video",
        "Start from a picture, and optionally end on another; the prompt says what happens between.",
        "Generate video",
        "The camera slowly pushes in while the leaves start to move in the wind",
    ),
    StudioMode(
        "ingredients",
        "Ingredients → video",
        "Give one to three reference pictures (people, objects, a style) and describe the scene.",
        "Generate video",
        "The woman from the first picture walks into the café from the second one",
    ),
    StudioMode(
        "image",
        "Create image",
        "Describe a picture; references are optional.",
        "Create image",
        "A cosy reading nook by a rainy window, warm lamp light, watercolour",
    ),
)
MODES_BY_NAME = {mode.name: mode for mode in STUDIO_MODES}


@dataclass(frozen=True)
class BatchKindInfo:
    name: str
    title: str
    blurb: str
    file_help: str


BATCH_KIND_INFO = {
    "aroll": BatchKindInfo(
        "aroll",
        "A-roll",
        "One start frame, many prompts: a video for every prompt, all opening on the same picture.",
        "CSV columns: id, prompt, number_of_videos (optional), aspect_ratio (optional).",
    ),
    "broll-images": BatchKindInfo(
        "broll-images",
        "B-roll images",
        "Many prompts, one or more images each; an optional reference picture guides them all.",
        "CSV columns: id, prompt, number_of_images (optional), aspect_ratio (optional).",
    ),
    "broll-footage": BatchKindInfo(
        "broll-footage",
        "B-roll footage",
        "Numbered pictures matched to prompts (1_street.jpg goes with id 1, or with image_number 1).",
        "CSV columns: id, prompt, image_number (optional), number_of_videos (optional).",
    ),
    "pipeline": BatchKindInfo(
        "pipeline",
        "Pipeline",
        "Prompt → image → video: each prompt first becomes a picture, which then starts its video.",
        "CSV columns: id, prompt, number_of_videos (optional), aspect_ratio (optional).",
    ),
}
TXT_HELP = "TXT: blocks separated by a blank line; the first line of a block is its id, the rest its prompt."


# -- helpers ----------------------------------------------------------------------------------------


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def byte_label(size: int) -> str:
    """``20971520`` -> ``20 MB``: a limit as people read it."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if value >= 10 or unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def provider_choices(context: WebContext, user_id: int) -> list[dict[str, Any]]:
    """Every registered provider with its label, whether it is paid, what its cost is counted in
    (``unit``), the optional settings it takes for videos (``options``) and for images
    (``image_options``), and a note: what it is (its own ``note``), or that the key it takes is
    missing."""
    choices = []
    for name in registry.provider_names():
        traits = registry.traits(name, context.settings)
        label = traits.label or name
        note = traits.note
        if traits.key_setting and not note:
            try:
                if key_source(context, user_id, name) == "none":
                    note = f"No {label} key yet: add yours under Settings before generating."
            except ConfigurationError as exc:
                # A page must still open when a stored key no longer decrypts; say how to fix it.
                note = str(exc)
        choices.append(
            {
                "name": name,
                "label": label,
                "note": note,
                "paid": traits.paid,
                "unit": traits.unit,
                "options": sorted(traits.options_for(Mode.TEXT)),
                "image_options": sorted(traits.options_for(Mode.IMAGE)),
            }
        )
    return choices


def _studio_values(context: WebContext, user: User) -> dict[str, Any]:
    preferences = read_preferences(user.preferences, context.settings)
    return {
        "providers": provider_choices(context, user.id),
        "paid_providers": registry.paid_provider_names(context.settings),
        "key_providers": registry.key_provider_names(context.settings),
        "provider_labels": {
            name: registry.label(name, context.settings) for name in registry.provider_names()
        },
        "default_provider": preferences.default_provider,
        "default_aspect": preferences.aspect,
        "preferences": preferences.to_json(),
        "max_upload_bytes": context.settings.web.max_upload_bytes,
        "max_upload_label": byte_label(context.settings.web.max_upload_bytes),
        "max_batch_file_label": byte_label(context.settings.web.max_batch_file_bytes),
        "max_count": MAX_COUNT,
        "min_password_length": MIN_PASSWORD_LENGTH,
        "max_references": MAX_INGREDIENTS,
    }


async def render(
    request: Request,
    context: WebContext,
    template: str,
    nav: str,
    values: dict[str, Any] | Callable[[User], dict[str, Any]] | None = None,
    *,
    admin_only: bool = False,
) -> Response:
    """The page for a logged-in visitor, or a redirect to the login page.

    ``values`` may be a function of the user, run in a worker thread (it may read the database and
    raise, e.g. :class:`NotFoundError` for another user's batch). Raises :class:`ForbiddenError`
    when ``admin_only`` and the visitor is not an administrator.
    """
    base = await page_context(request, context)
    user: User | None = base["user"]
    if user is None:
        return login_redirect(request)
    if admin_only and not user.is_admin:
        raise ForbiddenError("only an administrator can manage users")
    extra = await anyio.to_thread.run_sync(values, user) if callable(values) else values or {}
    studio = await anyio.to_thread.run_sync(_studio_values, context, user)
    page = {**studio, **base, "nav": nav, **extra}
    response: Response = context.templates.TemplateResponse(request, template, page)
    return response


def _owned_batch(context: WebContext, batch_id: int, owner_id: int) -> Batch:
    with context.db.session() as session:
        batch = session.scalar(select(Batch).where(Batch.id == batch_id, Batch.owner_id == owner_id))
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}")
        session.expunge(batch)
        return batch


# -- pages ------------------------------------------------------------------------------------------


@router.get("/")
async def home(request: Request, context: Ctx) -> Response:
    if await needs_setup(context):
        return RedirectResponse("/setup", status_code=303)
    return RedirectResponse("/studio/text", status_code=303)


@router.get("/studio/{mode}")
async def studio(request: Request, context: Ctx, mode: str) -> Response:
    """Raises :class:`NotFoundError` (after the login check) for a mode that does not exist."""

    def values(_: User) -> dict[str, Any]:
        current = MODES_BY_NAME.get(mode)
        if current is None:
            raise NotFoundError(f"no studio mode {mode!r}; try text, frames, ingredients or image")
        return {"mode": mode, "current": current, "modes": STUDIO_MODES, "options": _option_fields(mode)}

    return await render(request, context, "studio.html", "studio", values)


# How the People choices read on the page.
PERSON_CHOICES = {"allow_all": "Anyone", "allow_adult": "Adults only", "dont_allow": "No people"}


def _option_fields(mode: str) -> dict[str, Any]:
    """What the studio form needs to draw the options only some providers take: their labels
    (``OPTION_TITLES``), which of them this mode can have, and their allowed values."""
    image = Mode(mode) is Mode.IMAGE
    return {
        "labels": OPTION_TITLES,
        "names": [name for name in OPTION_TITLES if not (image and name in VIDEO_ONLY_OPTIONS)],
        "key": "image_options" if image else "options",
        "min_duration": MIN_DURATION_S,
        "max_duration": MAX_DURATION_S,
        "resolutions": RESOLUTIONS,
        "people": [(value, PERSON_CHOICES.get(value, value)) for value in PERSON_GENERATION],
    }


@router.get("/batches")
async def batches(request: Request, context: Ctx) -> Response:
    return await render(request, context, "batches.html", "batches", {"kinds": BATCH_KIND_INFO.values()})


@router.get("/batches/new/{kind}")
async def new_batch(request: Request, context: Ctx, kind: str) -> Response:
    """Raises :class:`NotFoundError` (after the login check) for a batch kind that does not exist."""

    def values(_: User) -> dict[str, Any]:
        if kind not in BATCH_KINDS:
            raise NotFoundError(f"no batch kind {kind!r}; try {', '.join(BATCH_KINDS)}")
        return {"kind": BATCH_KIND_INFO[kind], "kinds": BATCH_KIND_INFO.values(), "txt_help": TXT_HELP}

    return await render(request, context, "batch_new.html", "batches", values)


@router.get("/batches/{batch_id}")
async def batch_page(request: Request, context: Ctx, batch_id: int) -> Response:
    """Raises :class:`NotFoundError` for another user's batch, exactly as for a missing one."""

    def values(user: User) -> dict[str, Any]:
        batch = _owned_batch(context, batch_id, user.id)
        return {"batch_id": batch.id, "kind": BATCH_KIND_INFO.get(batch.kind)}

    return await render(request, context, "batch.html", "batches", values)


@router.get("/queue")
async def queue(request: Request, context: Ctx) -> Response:
    return await render(request, context, "queue.html", "queue")


@router.get("/library")
async def library(request: Request, context: Ctx) -> Response:
    return await render(request, context, "library.html", "library")


@router.get("/history")
async def history(request: Request, context: Ctx) -> Response:
    return await render(request, context, "history.html", "history")


@router.get("/settings")
async def settings_page(request: Request, context: Ctx) -> Response:
    return await render(request, context, "settings.html", "settings")


@router.get("/admin/users")
async def admin_users(request: Request, context: Ctx) -> Response:
    return await render(request, context, "admin_users.html", "admin", admin_only=True)
