"""The offline image provider: PNGs rendered locally, no key, no network, no charge.

Without references an image is the prompt's storyboard card; with references it is the references
composed as panels with the prompt as caption. Square images are allowed.
"""

from __future__ import annotations

from pathlib import Path

from framecast.core.errors import InvalidInputError
from framecast.core.settings import OfflineSettings
from framecast.providers.base import GenerationRequest, GenerationResult, Mode, SubmissionJournal
from framecast.providers.offline.outputs import PROVIDER, render_outputs
from framecast.providers.offline.render import render_image


class OfflineImageProvider:
    """Images rendered on this machine into ``work_dir`` (``offline-<uuid>.png``).

    Nothing is charged, so it never calls ``journal.before_submit()``. Raises
    :class:`InvalidInputError` for a bad request or an unreadable reference (naming the file) and
    :class:`NotSentError` (safe to retry) when rendering fails otherwise.
    """

    name = PROVIDER

    def __init__(self, settings: OfflineSettings, work_dir: Path) -> None:
        self._settings = settings
        self._work_dir = work_dir

    async def generate_image(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Render ``request.count`` images, seeds 0, 1, ... so that they differ."""
        request.validate()
        if request.mode is not Mode.IMAGE:
            raise InvalidInputError(f"{request.mode} is a video mode; ask for a video instead")
        short_side = self._settings.short_side

        def render(dest: Path, seed: int) -> Path:
            return render_image(
                request.prompt,
                request.aspect,
                dest,
                references=request.reference_images,
                short_side=short_side,
                seed=seed,
            )

        return await render_outputs(request, journal, self._work_dir, ".png", render)
