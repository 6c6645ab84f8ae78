"""Imagen through the same SDK (``client.aio.models.generate_images``): one synchronous call that
returns the images' bytes."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

from google.genai import types

from framecast.core.errors import (
    DownloadError,
    ErrorCategory,
    GenerationFailedError,
    InvalidInputError,
    PermanentError,
)
from framecast.providers.base import (
    OPTION_LABELS,
    GenerationRequest,
    GenerationResult,
    MediaItem,
    Mode,
    SubmissionJournal,
)
from framecast.providers.google_veo.client import GoogleClient
from framecast.providers.google_veo.failures import PROVIDER, translate
from framecast.providers.google_veo.results import save_result
from framecast.providers.google_veo.video import ASPECTS

# What Imagen takes of the request's options in each API (the SDK refuses the others in Gemini
# Developer API mode: negative_prompt and seed are Vertex AI only there).
GEMINI_IMAGE_OPTIONS = frozenset({"person_generation"})
VERTEX_IMAGE_OPTIONS = frozenset({"person_generation", "negative_prompt", "seed"})


def image_options(vertex: bool) -> frozenset[str]:
    """The request options Imagen honours on this API."""
    return VERTEX_IMAGE_OPTIONS if vertex else GEMINI_IMAGE_OPTIONS


class GoogleVeoImageProvider:
    """Images from Imagen. Reference images are not sent (Imagen's text-to-image takes none), so a
    request with references is refused before anything is sent.

    There is no operation to journal: the call returns the images. Raises :class:`InvalidInputError`
    before sending, the errors of ``failures.py`` after, and :class:`GenerationFailedError`
    (unsafe content) when the safety filters removed every image.
    """

    name = PROVIDER

    def __init__(self, client: GoogleClient, work_dir: Path, *, max_bytes: int) -> None:
        self._client = client
        self._work_dir = work_dir
        self._max_bytes = max_bytes

    async def generate_image(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        request.validate()
        if request.mode is not Mode.IMAGE:
            raise InvalidInputError(f"{request.mode} is a video mode; ask for a video instead")
        if request.reference_images:
            raise InvalidInputError("Google's Imagen makes images from text only; leave out the references")
        allowed = image_options(self._client.vertex)
        for option in request.options_given():
            if option not in allowed:
                raise InvalidInputError(
                    f"Google's Imagen does not take {OPTION_LABELS[option]} here; leave it out", field=option
                )
        config = types.GenerateImagesConfig(
            number_of_images=request.count,
            aspect_ratio=ASPECTS[request.aspect],
            person_generation=types.PersonGeneration(request.person_generation.upper())
            if request.person_generation
            else None,
            negative_prompt=request.negative_prompt,
            seed=request.seed,
            include_rai_reason=True,
        )
        model = self._client.config.image_model
        aio = self._client.aio()
        await journal.before_submit()
        try:
            with warnings.catch_warnings():
                # The SDK warns once that generate_images is deprecated in favour of image models on
                # generate_content (removal "not before Jan. 1 2027"); known, and noted in the README.
                # The warning is raised when the call is made, before the coroutine runs.
                warnings.filterwarnings("ignore", message="The generate_images method is deprecated")
                call = aio.models.generate_images(model=model, prompt=request.prompt, config=config)
            response = await call
        except Exception as exc:  # every SDK failure is translated in one place
            raise translate(exc, sent=f"creating images on {model}") from exc
        batch = uuid.uuid4().hex[:12]
        await journal.accepted((f"imagen-{batch}",))
        images = [g.image for g in response.generated_images or [] if g.image and g.image.image_bytes]
        if not images:
            reasons = "; ".join(
                g.rai_filtered_reason for g in response.generated_images or [] if g.rai_filtered_reason
            )
            raise GenerationFailedError(
                f"Google's safety filters removed every image{': ' + reasons if reasons else ''}",
                provider=PROVIDER,
                category=ErrorCategory.UNSAFE_CONTENT,
            )
        items = []
        for index, image in enumerate(images):
            try:
                path = await save_result(
                    image.image_bytes or b"",
                    self._work_dir / f"imagen-{batch}-{index}.png",
                    kind="image",
                    max_bytes=self._max_bytes,
                )
            except DownloadError as exc:
                # Made (and billed): a failure of ours to keep it, never a reason to ask again.
                raise PermanentError(str(exc), provider=PROVIDER, category=ErrorCategory.SERVER) from exc
            items.append(MediaItem(provider_id=f"imagen-{batch}", path=path))
        return GenerationResult(items=tuple(items))
