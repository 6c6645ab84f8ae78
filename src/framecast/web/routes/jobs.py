"""Solo jobs over REST: create (each mode), list, get, cancel, retry, and live events (SSE).

Every route answers only the caller's own jobs; another user's job id answers 404 exactly like a
missing one. A job's files are written under ``<media_root>/<user id>/jobs/<job folder>/`` and its
uploads are kept under ``<upload_root>/<user id>/`` (see ``web/uploads.py``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from framecast.core.errors import InvalidInputError
from framecast.core.text import text_problem
from framecast.db.accounts import User
from framecast.db.base import utcnow
from framecast.db.models import GENERATION_KIND, Job
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.providers import registry
from framecast.providers.base import (
    MAX_COUNT,
    MAX_INGREDIENTS,
    OPTION_TITLES,
    Aspect,
    GenerationRequest,
    Mode,
    refuse_unsupported_options,
)
from framecast.studio.outputs import slug
from framecast.studio.requests import request_to_json
from framecast.web.context import WebContext
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.events import JobFilter, JobWatcher, job_events
from framecast.web.field_labels import field_error, label
from framecast.web.generation_options import parse_options
from framecast.web.preferences import read_preferences
from framecast.web.serializers import jobs_to_json
from framecast.web.uploads import StoredImage, is_empty_upload, save_image

router = APIRouter(tags=["jobs"])

MAX_PAGE = 500
# Which image fields each mode takes; anything else sent is refused rather than silently dropped.
MODE_FIELDS: dict[Mode, frozenset[str]] = {
    Mode.TEXT: frozenset(),
    Mode.FRAMES: frozenset({"start_image", "end_image"}),
    Mode.INGREDIENTS: frozenset({"reference_images"}),
    Mode.IMAGE: frozenset({"reference_images"}),
}
# How the studio pages title each mode, for messages.
MODE_TITLES = {
    Mode.TEXT: "text → video",
    Mode.FRAMES: "frames → video",
    Mode.INGREDIENTS: "ingredients → video",
    Mode.IMAGE: "create image",
}
EVENT_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def preferred_provider(context: WebContext, user: User) -> str:
    """The user's default provider if they chose a valid one, else the server's."""
    return read_preferences(user.preferences, context.settings).default_provider


@router.post("/api/jobs", status_code=201)
async def create_job(
    context: Ctx,
    user: CurrentUser,
    mode: Annotated[str, Form(description="text, frames, ingredients or image")],
    prompt: Annotated[str, Form()] = "",
    aspect: Annotated[str | None, Form(description="landscape, portrait or square (images)")] = None,
    count: Annotated[int, Form(description="how many videos or images, 1 to 4")] = 1,
    provider: Annotated[str | None, Form(description="defaults to your preference")] = None,
    start_image: Annotated[UploadFile | None, File(description="frames: the first frame")] = None,
    end_image: Annotated[UploadFile | None, File(description="frames: an optional last frame")] = None,
    reference_images: Annotated[
        list[UploadFile] | None, File(description="ingredients: 1 to 3; image: up to 3")
    ] = None,
    duration_seconds: Annotated[str | None, Form(description="seconds per video, 1 to 60")] = None,
    resolution: Annotated[str | None, Form(description="720p, 1080p or 4k")] = None,
    negative_prompt: Annotated[str | None, Form(description="what the result should not show")] = None,
    person_generation: Annotated[str | None, Form(description="allow_all, allow_adult or dont_allow")] = None,
    seed: Annotated[str | None, Form(description="a whole number")] = None,
    generate_audio: Annotated[str | None, Form(description="true or false")] = None,
) -> dict[str, Any]:
    """Queue one generation. Uploaded images are checked by content (JPEG, PNG or WebP).

    The options (duration to audio) are taken only by providers whose traits list them; an empty
    one is not given. Answers 400 naming the field for a bad mode, prompt, aspect, count, provider,
    image or option, and for an option the chosen provider does not take.
    """
    options = parse_options(
        {
            "duration_seconds": duration_seconds,
            "resolution": resolution,
            "negative_prompt": negative_prompt,
            "person_generation": person_generation,
            "seed": seed,
            "generate_audio": generate_audio,
        }
    )
    chosen_mode = _parse_mode(mode)
    count_label = "Images" if chosen_mode is Mode.IMAGE else "Videos"
    if not prompt.strip():
        raise field_error("prompt", "the prompt is empty; describe what to make")
    problem = text_problem(prompt)
    if problem is not None:
        raise field_error("prompt", problem)
    if not 1 <= count <= MAX_COUNT:
        raise field_error("count", f"must be between 1 and {MAX_COUNT}, got {count}", shown=count_label)
    chosen_aspect = _parse_aspect(aspect, context, user, chosen_mode)
    chosen_provider = _parse_provider(provider, context, user)
    references = [f for f in reference_images or [] if not is_empty_upload(f)]
    sent = {
        name
        for name, present in (
            ("start_image", not is_empty_upload(start_image)),
            ("end_image", not is_empty_upload(end_image)),
            ("reference_images", bool(references)),
        )
        if present
    }
    unexpected = sorted(sent - MODE_FIELDS[chosen_mode])
    if unexpected:
        name = unexpected[0]
        raise field_error(name, f"{MODE_TITLES[chosen_mode]} takes no {label(name).lower()}")
    if chosen_mode is Mode.FRAMES and "start_image" not in sent:
        raise field_error("start_image", "frames → video needs a start frame")
    if chosen_mode is Mode.INGREDIENTS and not references:
        raise field_error("reference_images", f"give 1 to {MAX_INGREDIENTS} reference images")
    if len(references) > MAX_INGREDIENTS:
        raise field_error(
            "reference_images", f"at most {MAX_INGREDIENTS} reference images, got {len(references)}"
        )

    stored: list[StoredImage] = []
    try:
        start = await _store(context, user, "start_image", start_image, stored)
        end = await _store(context, user, "end_image", end_image, stored)
        refs = [await _store(context, user, "reference_images", f, stored) for f in references]
        request = GenerationRequest(
            mode=chosen_mode,
            prompt=prompt.strip(),
            aspect=chosen_aspect,
            count=count,
            start_image=start,
            end_image=end,
            reference_images=tuple(p for p in refs if p is not None),
            **options,
        )
        await anyio.to_thread.run_sync(request.validate, OPTION_TITLES)
        traits = registry.traits(chosen_provider, context.settings)
        refuse_unsupported_options(
            request, traits.options_for(chosen_mode), traits.label or chosen_provider, OPTION_TITLES
        )
        job_id = await anyio.to_thread.run_sync(_enqueue, context, user.id, chosen_provider, request)
    except BaseException:
        # Shielded: a cancelled request must still not leave its uploads behind.
        with anyio.CancelScope(shield=True):
            for image in stored:
                await anyio.Path(image.path).unlink(missing_ok=True)
        raise
    return await anyio.to_thread.run_sync(_job_json, context, job_id, user.id)


@router.get("/api/jobs")
async def list_jobs(
    context: Ctx,
    user: CurrentUser,
    state: Annotated[str | None, Query(description="one state, or several separated by commas")] = None,
    batch_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The caller's generations, newest first: ``{items, total}`` (ZIP builds and history imports
    are followed through their own routes)."""
    states = _parse_states(state)

    def load() -> dict[str, Any]:
        query = select(Job).where(Job.owner_id == user.id, Job.kind == GENERATION_KIND)
        if states:
            query = query.where(Job.state.in_([s.value for s in states]))
        if batch_id is not None:
            query = query.where(Job.batch_id == batch_id)
        with context.db.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            jobs = list(session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset)))
            return {"items": jobs_to_json(session, jobs, context.media_links), "total": total}

    return await anyio.to_thread.run_sync(load)


@router.get("/api/jobs/{job_id}")
async def get_job(context: Ctx, user: CurrentUser, job_id: int) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(_job_json, context, job_id, user.id)


@router.post("/api/jobs/{job_id}/cancel")
async def cancel_job(context: Ctx, user: CurrentUser, job_id: int) -> dict[str, Any]:
    """Cancel a job not yet sent to its provider, at once; answers the job (``cancelled``).

    409 when it was already sent to a paid provider: it cannot be un-paid, so it will finish, be
    charged, and its result will be kept (the message says so). A job that has ended is answered
    as it is.
    """
    await anyio.to_thread.run_sync(lambda: context.job_control().cancel(job_id, owner_id=user.id))
    return await anyio.to_thread.run_sync(_job_json, context, job_id, user.id)


@router.post("/api/jobs/{job_id}/retry")
async def retry_job(context: Ctx, user: CurrentUser, job_id: int) -> dict[str, Any]:
    """Queue a failed or cancelled job again; 409 for a job in any other state."""
    await anyio.to_thread.run_sync(lambda: context.job_control().retry(job_id, owner_id=user.id))
    return await anyio.to_thread.run_sync(_job_json, context, job_id, user.id)


@router.get(
    "/api/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "an SSE stream"}},
)
async def events(
    request: Request,
    context: Ctx,
    user: CurrentUser,
    job_id: int | None = None,
    batch_id: int | None = None,
) -> StreamingResponse:
    """Live progress: ``snapshot`` (every matching job) on connect, then ``job`` on each change.

    ``job_id`` or ``batch_id`` narrow the stream; another user's id answers 404. EventSource
    clients that cannot send headers authenticate with the session cookie or ``?token=``.
    """
    job_filter = JobFilter(owner_id=user.id, job_id=job_id, batch_id=batch_id)
    await anyio.to_thread.run_sync(job_filter.check, context.db)
    watcher = JobWatcher(context.db, job_filter, context.media_links)
    return StreamingResponse(
        job_events(request, watcher, news=context.news), media_type="text/event-stream", headers=EVENT_HEADERS
    )


# -- helpers --------------------------------------------------------------------------------------


def _parse_mode(value: str) -> Mode:
    try:
        return Mode(value.strip().lower())
    except ValueError:
        names = ", ".join(m.value for m in Mode)
        raise field_error("mode", f"unknown mode {value!r}; use one of {names}") from None


def _parse_aspect(value: str | None, context: WebContext, user: User, mode: Mode) -> Aspect:
    if not value:
        # The preference is always a video aspect, which suits images as well.
        return Aspect(read_preferences(user.preferences, context.settings).aspect)
    try:
        aspect = Aspect.parse(value)
    except InvalidInputError as exc:
        raise field_error("aspect", str(exc)) from None
    if mode.is_video and aspect is Aspect.SQUARE:
        raise field_error("aspect", "video can be landscape or portrait, not square")
    return aspect


def _parse_provider(value: str | None, context: WebContext, user: User) -> str:
    name = (value or "").strip() or preferred_provider(context, user)
    known = registry.provider_names()
    if name not in known:
        raise field_error("provider", f"unknown provider {name!r}; use one of {', '.join(known)}")
    return name


def _parse_states(value: str | None) -> list[JobState]:
    states: list[JobState] = []
    for part in (value or "").split(","):
        if not part.strip():
            continue
        try:
            states.append(JobState(part.strip().lower()))
        except ValueError:
            names = ", ".join(s.value for s in JobState)
            raise field_error("state", f"unknown state {part.strip()!r}; use {names}") from None
    return states


async def _store(
    context: WebContext, user: User, field: str, upload: UploadFile | None, stored: list[StoredImage]
) -> Path | None:
    if upload is None or is_empty_upload(upload):
        return None
    image = await save_image(context, user.id, field, upload)
    stored.append(image)
    return image.path


def _enqueue(context: WebContext, owner_id: int, provider: str, request: GenerationRequest) -> int:
    folder = f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    out_dir = context.media_root / str(owner_id) / "jobs" / folder
    base = slug(request.prompt)
    stems = [base] if request.count == 1 else [f"{base}_{n}" for n in range(1, request.count + 1)]
    return JobRepository(context.db).enqueue(
        JobSpec(
            provider=provider,
            mode=request.mode.value,
            request=request_to_json(request, out_dir=out_dir, stems=stems),
            owner_id=owner_id,
            max_attempts=context.settings.jobs.max_attempts,
        )
    )


def _job_json(context: WebContext, job_id: int, owner_id: int) -> dict[str, Any]:
    """One owned job as JSON; raises :class:`NotFoundError` for a missing or foreign id."""
    job = JobRepository(context.db).get(job_id, owner_id=owner_id)
    with context.db.session() as session:
        return jobs_to_json(session, [job], context.media_links)[0]
