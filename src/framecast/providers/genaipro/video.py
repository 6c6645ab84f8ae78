"""GenAIPro video generation: text, frames and ingredients to video over one SSE stream each."""

from __future__ import annotations

from contextlib import ExitStack

import httpx

from framecast.core.errors import InvalidInputError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import (
    Aspect,
    GenerationRequest,
    GenerationResult,
    Mode,
    SubmissionJournal,
)
from framecast.providers.genaipro.client import GenAIProClient
from framecast.providers.genaipro.uploads import open_uploads

VIDEO_ASPECTS = {
    Aspect.LANDSCAPE: "VIDEO_ASPECT_RATIO_LANDSCAPE",
    Aspect.PORTRAIT: "VIDEO_ASPECT_RATIO_PORTRAIT",
}


class GenAIProVideoProvider:
    """Videos from GenAIPro's v1 API (``/veo/text-to-video``, ``frames-to-video``,
    ``ingredients-to-video``).

    Raises :class:`ConfigurationError` at construction without an API key, and
    :class:`InvalidInputError` for a bad request before anything is sent (so nothing is charged).
    """

    name = "genaipro"

    def __init__(self, http: httpx.AsyncClient, config: GenAIProSettings, api_key: str | None = None) -> None:
        self._client = GenAIProClient(http, config, api_key)

    async def generate_video(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Generate ``request.count`` videos; see :mod:`framecast.providers.genaipro.client` for errors."""
        request.validate()
        count = str(request.count)
        with ExitStack() as stack:
            if request.mode is Mode.TEXT:
                payload = {
                    "prompt": request.prompt,
                    "aspect_ratio": VIDEO_ASPECTS[request.aspect],
                    "number_of_videos": request.count,
                }
                items = await self._client.stream_generation(
                    "/veo/text-to-video", json=payload, journal=journal
                )
            elif request.mode is Mode.FRAMES:
                named = (("start_image", request.start_image), ("end_image", request.end_image))
                frames = [(field, path) for field, path in named if path is not None]
                form = {
                    "prompt": request.prompt,
                    "aspect_ratio": VIDEO_ASPECTS[request.aspect],
                    "number_of_videos": count,
                }
                items = await self._client.stream_generation(
                    "/veo/frames-to-video", data=form, files=open_uploads(stack, frames), journal=journal
                )
            elif request.mode is Mode.INGREDIENTS:
                # The endpoint has no aspect_ratio field: the result is always landscape.
                references = [("reference_images", path) for path in request.reference_images]
                items = await self._client.stream_generation(
                    "/veo/ingredients-to-video",
                    data={"prompt": request.prompt, "number_of_videos": count},
                    files=open_uploads(stack, references),
                    journal=journal,
                )
            else:
                raise InvalidInputError(f"{request.mode} is not a video mode; ask for an image instead")
        return GenerationResult(items=tuple(items))
