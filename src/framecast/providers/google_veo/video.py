"""Veo video generation: text, frames (start image + optional last frame) and ingredients (up to
three ASSET reference images) to video, as one long-running operation each."""

from __future__ import annotations

import logging
from pathlib import Path

import anyio
from google.genai import types

from framecast.core.errors import InvalidInputError
from framecast.core.media_types import sniff_image
from framecast.providers.base import (
    OPTION_LABELS,
    Aspect,
    GenerationRequest,
    GenerationResult,
    Mode,
    SubmissionJournal,
)
from framecast.providers.google_veo.client import GoogleClient
from framecast.providers.google_veo.failures import PROVIDER, translate
from framecast.providers.google_veo.operations import OperationReader

log = logging.getLogger(__name__)

ASPECTS = {Aspect.LANDSCAPE: "16:9", Aspect.PORTRAIT: "9:16", Aspect.SQUARE: "1:1"}
# Options the SDK refuses in Gemini Developer API mode (it raises ValueError): Vertex AI only.
VERTEX_ONLY_OPTIONS = frozenset({"seed", "generate_audio"})
VIDEO_OPTIONS = frozenset({"duration_seconds", "resolution", "negative_prompt", "person_generation"})


def video_options(vertex: bool) -> frozenset[str]:
    """The request options Veo honours on this API."""
    return VIDEO_OPTIONS | VERTEX_ONLY_OPTIONS if vertex else VIDEO_OPTIONS


class GoogleVeoVideoProvider:
    """Videos from Veo through ``client.aio.models.generate_videos``.

    The write-ahead mark is taken after the local images are read and just before the create call;
    the operation's name is journalled as soon as the call returns, before the first poll, so a crash
    from then on is recovered by polling the same operation (see ``history.py``).

    Raises :class:`InvalidInputError` before anything is sent for a request Veo cannot take here,
    :class:`ConfigurationError` without a key, and the errors of ``failures.py`` and
    ``operations.py`` after.
    """

    name = PROVIDER

    def __init__(self, client: GoogleClient, reader: OperationReader) -> None:
        self._client = client
        self._reader = reader

    async def generate_video(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        request.validate()
        if not request.mode.is_video:
            raise InvalidInputError(f"{request.mode} is not a video mode; ask for an image instead")
        source, config = await self._arguments(request)
        model = self._client.config.video_model
        aio = self._client.aio()  # a missing key is reported here, before the journal is touched
        await journal.before_submit()
        try:
            operation = await aio.models.generate_videos(model=model, source=source, config=config)
        except Exception as exc:  # every SDK failure is translated in one place
            raise translate(exc, sent=f"creating a {request.mode.value} video on {model}") from exc
        if not operation.name:
            raise translate(RuntimeError("Google answered without an operation name"), sent="generate_videos")
        await journal.accepted((operation.name,))
        log.info("Veo operation %s started", operation.name)
        if not operation.done:  # the create call's answer is never done on the real service
            operation = await self._reader.wait(operation.name, journal)
        return GenerationResult(items=await self._reader.collect(operation))

    async def _arguments(
        self, request: GenerationRequest
    ) -> tuple[types.GenerateVideosSource, types.GenerateVideosConfig]:
        if not self._client.vertex:
            for option in request.options_given():
                if option in VERTEX_ONLY_OPTIONS:
                    raise InvalidInputError(
                        f"{OPTION_LABELS[option]} needs Vertex AI: the Gemini Developer API does not "
                        "accept it (set FRAMECAST_GOOGLE__VERTEX_PROJECT, or leave it out)",
                        field=option,
                    )
        config = types.GenerateVideosConfig(
            number_of_videos=request.count,
            aspect_ratio=ASPECTS[request.aspect],
            duration_seconds=request.duration_seconds,
            resolution=request.resolution,
            negative_prompt=request.negative_prompt,
            person_generation=request.person_generation,
            seed=request.seed,
            generate_audio=request.generate_audio,
        )
        source = types.GenerateVideosSource(prompt=request.prompt)
        if request.mode is Mode.FRAMES:
            if request.start_image is None:
                raise InvalidInputError("frames-to-video needs a start image")
            source.image = await read_image(request.start_image)
            if request.end_image is not None:
                config.last_frame = await read_image(request.end_image)
        elif request.mode is Mode.INGREDIENTS:
            config.reference_images = [
                types.VideoGenerationReferenceImage(
                    image=await read_image(path), reference_type=types.VideoGenerationReferenceType.ASSET
                )
                for path in request.reference_images
            ]
        return source, config


async def read_image(path: Path) -> types.Image:
    """The image at ``path`` as the SDK sends it (bytes and MIME type, told by content)."""
    data = await anyio.Path(path).read_bytes()
    kind = sniff_image(data[:12])
    if kind is None:
        raise InvalidInputError(f"{path.name} is not a PNG, JPEG or WebP image")
    return types.Image(image_bytes=data, mime_type=kind.mime)
