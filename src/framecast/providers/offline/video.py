"""The offline video provider: real H.264 MP4s rendered locally, no key, no network, no charge.

Text-to-video films the prompt's storyboard card, frames-to-video interpolates between the frames
by optical flow, ingredients-to-video travels across the composed references. The results are
honest placeholders (each carries a "Framecast offline render" label where it draws text) and a
free dry run of a batch before paying for it.
"""

from __future__ import annotations

from pathlib import Path

from framecast.core.errors import InvalidInputError
from framecast.core.settings import OfflineSettings
from framecast.providers.base import GenerationRequest, GenerationResult, Mode, SubmissionJournal
from framecast.providers.offline.outputs import PROVIDER, render_outputs
from framecast.providers.offline.render import (
    render_frames_video,
    render_ingredients_video,
    render_text_video,
)


class OfflineVideoProvider:
    """Videos rendered on this machine into ``work_dir`` (``offline-<uuid>.mp4``).

    Nothing is charged, so it never calls ``journal.before_submit()``. Raises
    :class:`InvalidInputError` for a bad request or an unreadable image (naming the file) and
    :class:`NotSentError` (safe to retry) when rendering fails otherwise.
    """

    name = PROVIDER

    def __init__(self, settings: OfflineSettings, work_dir: Path) -> None:
        self._settings = settings
        self._work_dir = work_dir

    async def generate_video(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Render ``request.count`` clips, seeds 0, 1, ... so that they differ."""
        request.validate()
        if not request.mode.is_video:
            raise InvalidInputError(f"{request.mode} is not a video mode; ask for an image instead")
        return await render_outputs(
            request, journal, self._work_dir, ".mp4", lambda dest, seed: self._render(request, dest, seed)
        )

    def _render(self, request: GenerationRequest, dest: Path, seed: int) -> Path:
        seconds, fps, short_side = self._settings.seconds, self._settings.fps, self._settings.short_side
        if request.mode is Mode.FRAMES:
            if request.start_image is None:  # validate() refused this already; this tells the type checker
                raise InvalidInputError("frames-to-video needs a start image")
            return render_frames_video(
                request.prompt,
                request.start_image,
                request.end_image,
                request.aspect,
                dest,
                seconds=seconds,
                fps=fps,
                short_side=short_side,
                seed=seed,
            )
        if request.mode is Mode.INGREDIENTS:
            return render_ingredients_video(
                request.prompt,
                request.reference_images,
                request.aspect,
                dest,
                seconds=seconds,
                fps=fps,
                short_side=short_side,
                seed=seed,
            )
        return render_text_video(
            request.prompt, request.aspect, dest, seconds=seconds, fps=fps, short_side=short_side, seed=seed
        )
