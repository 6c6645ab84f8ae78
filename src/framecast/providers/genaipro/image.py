"""GenAIPro image generation (``/veo/create-image``, "Nano Banana") over an SSE stream."""

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

IMAGE_ASPECTS = {
    Aspect.LANDSCAPE: "IMAGE_ASPECT_RATIO_LANDSCAPE",
    Aspect.PORTRAIT: "IMAGE_ASPECT_RATIO_PORTRAIT",
    Aspect.SQUARE: "IMAGE_ASPECT_RATIO_SQUARE",
}


class GenAIProImageProvider:
    """Images from GenAIPro's v1 API.

    The endpoint reads form fields only (a JSON body is refused with "Prompt is required"), so the
    request is urlencoded without references and multipart with them. Raises
    :class:`ConfigurationError` at construction without an API key and :class:`InvalidInputError`
    for a bad request before anything is sent.
    """

    name = "genaipro"

    def __init__(self, http: httpx.AsyncClient, config: GenAIProSettings, api_key: str | None = None) -> None:
        self._client = GenAIProClient(http, config, api_key)

    async def generate_image(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Generate ``request.count`` images; see :mod:`framecast.providers.genaipro.client` for errors."""
        request.validate()
        if request.mode is not Mode.IMAGE:
            raise InvalidInputError(f"{request.mode} is a video mode; ask for a video instead")
        form = {
            "prompt": request.prompt,
            "aspect_ratio": IMAGE_ASPECTS[request.aspect],
            "number_of_images": str(request.count),
        }
        with ExitStack() as stack:
            references = [("reference_images", path) for path in request.reference_images]
            files = open_uploads(stack, references) if references else None
            items = await self._client.stream_generation(
                "/veo/create-image", data=form, files=files, journal=journal
            )
        return GenerationResult(items=tuple(items))
