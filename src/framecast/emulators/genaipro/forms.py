"""Reading and validating the bodies of the four generation endpoints into an :class:`Order`.

Field names, encodings and messages follow the real service (report §2): text-to-video takes JSON
(form is accepted too), frames- and ingredients-to-video take multipart, create-image reads form
fields only, so a JSON body there has no prompt. Every problem raises :class:`BadRequestError`, which the
app answers with ``400 {"error": message}``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.state import Order
from framecast.providers.base import MAX_COUNT, MAX_INGREDIENTS, Aspect, Mode

VIDEO_ASPECTS = {
    "VIDEO_ASPECT_RATIO_LANDSCAPE": Aspect.LANDSCAPE,
    "VIDEO_ASPECT_RATIO_PORTRAIT": Aspect.PORTRAIT,
}
IMAGE_ASPECTS = {
    "IMAGE_ASPECT_RATIO_LANDSCAPE": Aspect.LANDSCAPE,
    "IMAGE_ASPECT_RATIO_PORTRAIT": Aspect.PORTRAIT,
    "IMAGE_ASPECT_RATIO_SQUARE": Aspect.SQUARE,
}
MAX_IMAGE_REFERENCES = 5


# One endpoint's body reader.
Reader = Callable[[Request], Awaitable[Order]]


class BadRequestError(InvalidInputError):
    """A generation request the real service would answer with 400; the message is the body's ``error``."""


async def read_text_to_video(request: Request) -> Order:
    """``POST /veo/text-to-video``: JSON ``{prompt, aspect_ratio, number_of_videos}`` or the same as form."""
    if is_form(request):
        async with _form(request) as form:
            fields: dict[str, Any] = {key: value for key, value in form.items() if isinstance(value, str)}
    else:
        fields = await _json_object(request)
    return Order(
        mode=Mode.TEXT,
        prompt=_prompt(fields.get("prompt")),
        aspect=_aspect(fields.get("aspect_ratio"), VIDEO_ASPECTS, required=True),
        count=_count(fields.get("number_of_videos"), "number_of_videos"),
    )


async def read_frames_to_video(request: Request) -> Order:
    """``POST /veo/frames-to-video``: multipart ``start_image`` (required), ``end_image``, fields."""
    async with _form(request) as form:
        if not await _has_file(form.get("start_image")):
            raise BadRequestError("Start image is required")
        end = form.get("end_image")
        if end is not None and not isinstance(end, UploadFile):
            raise BadRequestError("End image must be a file")
        return Order(
            mode=Mode.FRAMES,
            prompt=_prompt(form.get("prompt")),
            aspect=_aspect(form.get("aspect_ratio"), VIDEO_ASPECTS, required=True),
            count=_count(form.get("number_of_videos"), "number_of_videos"),
        )


async def read_ingredients_to_video(request: Request) -> Order:
    """``POST /veo/ingredients-to-video``: multipart ``reference_images`` (or ``images``) x 1-3, fields.

    There is no aspect ratio: the result is always landscape.
    """
    async with _form(request) as form:
        references = [*form.getlist("reference_images"), *form.getlist("images")]
        files = [ref for ref in references if await _has_file(ref)]
        if not files:
            raise BadRequestError("Reference images are required")
        if len(files) > MAX_INGREDIENTS:
            raise BadRequestError(f"At most {MAX_INGREDIENTS} reference images are allowed")
        return Order(
            mode=Mode.INGREDIENTS,
            prompt=_prompt(form.get("prompt")),
            aspect=Aspect.LANDSCAPE,
            count=_count(form.get("number_of_videos"), "number_of_videos"),
        )


async def read_create_image(request: Request) -> Order:
    """``POST /veo/create-image``: form or multipart ``prompt``, ``aspect_ratio``, ``number_of_images``.

    Only form fields are read, so a JSON body fails with "Prompt is required" as on the real service.
    """
    async with _form(request) as form:
        references = [ref for ref in form.getlist("reference_images") if await _has_file(ref)]
        prompt = _prompt(form.get("prompt"))
        if len(references) > MAX_IMAGE_REFERENCES:
            raise BadRequestError(f"At most {MAX_IMAGE_REFERENCES} reference images are allowed")
        return Order(
            mode=Mode.IMAGE,
            prompt=prompt,
            aspect=_aspect(form.get("aspect_ratio"), IMAGE_ASPECTS, required=False),
            count=_count(form.get("number_of_images"), "number_of_images"),
        )


def is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").lower()
    return content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded"))


@asynccontextmanager
async def _form(request: Request) -> AsyncIterator[FormData]:
    """The request's form (empty unless form-encoded), its uploads closed on exit."""
    try:
        form = await request.form()
    except HTTPException as exc:  # Starlette's answer to a malformed multipart body
        raise BadRequestError(f"Invalid form data: {exc.detail}") from None
    try:
        yield form
    finally:
        await form.close()


async def _json_object(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body.strip():
        raise BadRequestError("Prompt is required")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequestError("Invalid JSON body") from None
    if not isinstance(data, dict):
        raise BadRequestError("Invalid JSON body: expected an object")
    return data


async def _has_file(value: object) -> bool:
    if not isinstance(value, UploadFile):
        return False
    if value.size is not None:
        return value.size > 0
    return bool(await value.read(1))


def _prompt(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequestError("Prompt is required")
    return value


def _aspect(value: object, allowed: dict[str, Aspect], *, required: bool) -> Aspect:
    if value is None or value == "":
        if required:
            raise BadRequestError("Aspect ratio is required")
        return Aspect.LANDSCAPE
    if not isinstance(value, str) or value not in allowed:
        raise BadRequestError(f"Invalid aspect_ratio {value!r}; use one of {', '.join(allowed)}")
    return allowed[value]


def _count(value: object, name: str) -> int:
    """The count field (a JSON number or a form string); 1 when absent, as lenient clients rely on."""
    if value is None or value == "":
        return 1
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= MAX_COUNT:
        raise BadRequestError(f"{name} must be between 1 and {MAX_COUNT}")
    return number
