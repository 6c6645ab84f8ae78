"""Videos and images from GenAIPro's v2 task API (``FRAMECAST_GENAIPRO__API_VERSION=2``).

The same four generations as v1, with v1's fields: text-to-video as JSON, frames-to-video,
ingredients-to-video and create-image as multipart, each answered ``202`` with task ids that are
journalled at once and then waited for through the instance's one :class:`TaskPoller` (see
:mod:`framecast.providers.genaipro.tasks`). ``callback_url``, when configured, is sent with every
submission so that GenAIPro can say "look now".
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

import httpx

from framecast.core.errors import InvalidInputError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import (
    GenerationRequest,
    GenerationResult,
    MediaItem,
    Mode,
    SubmissionJournal,
)
from framecast.providers.genaipro.client import FilesArgument
from framecast.providers.genaipro.image import IMAGE_ASPECTS
from framecast.providers.genaipro.tasks import TaskPoller, run_task, v2_client
from framecast.providers.genaipro.uploads import open_uploads
from framecast.providers.genaipro.video import VIDEO_ASPECTS
from framecast.providers.sliding_windows import SlidingWindow


class GenAIProV2Generator:
    """Both capabilities over one client and one poller: ``generate_video`` and ``generate_image``.

    Raises :class:`InvalidInputError` for a bad request before anything is sent, and the errors of
    :func:`~framecast.providers.genaipro.tasks.run_task` otherwise.
    """

    name = "genaipro"

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: GenAIProSettings,
        api_key: str | None = None,
        *,
        callback_url: str | None = None,
        window: SlidingWindow | None = None,
    ) -> None:
        """``window``: the account's request budget, for submissions and polls (None: one of this
        instance's own, which other instances and processes with the same key do not see)."""
        self._client = v2_client(http, config, api_key)
        self.poller = TaskPoller(self._client, config, window=window)
        self._timeout_s = config.v2_task_timeout_s
        self._callback = {"callback_url": callback_url} if callback_url else {}

    async def generate_video(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Generate ``request.count`` videos as v2 tasks."""
        request.validate()
        count = str(request.count)
        with ExitStack() as stack:
            if request.mode is Mode.TEXT:
                payload: dict[str, object] = {
                    "prompt": request.prompt,
                    "aspect_ratio": VIDEO_ASPECTS[request.aspect],
                    "number_of_videos": request.count,
                    **self._callback,
                }
                items = await self._run("/veo/text-to-video", journal, json=payload)
            elif request.mode is Mode.FRAMES:
                named = (("start_image", request.start_image), ("end_image", request.end_image))
                frames = [(field, path) for field, path in named if path is not None]
                form = {
                    "prompt": request.prompt,
                    "aspect_ratio": VIDEO_ASPECTS[request.aspect],
                    "number_of_videos": count,
                    **self._callback,
                }
                items = await self._run(
                    "/veo/frames-to-video", journal, data=form, files=open_uploads(stack, frames)
                )
            elif request.mode is Mode.INGREDIENTS:
                references = [("reference_images", path) for path in request.reference_images]
                form = {"prompt": request.prompt, "number_of_videos": count, **self._callback}
                items = await self._run(
                    "/veo/ingredients-to-video", journal, data=form, files=open_uploads(stack, references)
                )
            else:
                raise InvalidInputError(f"{request.mode} is not a video mode; ask for an image instead")
        return GenerationResult(items=tuple(items))

    async def generate_image(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Generate ``request.count`` images as one v2 task.

        Form fields, as v1: multipart with references, urlencoded without (the service reads both
        as a form; a JSON body it would not).
        """
        request.validate()
        if request.mode is not Mode.IMAGE:
            raise InvalidInputError(f"{request.mode} is a video mode; ask for a video instead")
        form = {
            "prompt": request.prompt,
            "aspect_ratio": IMAGE_ASPECTS[request.aspect],
            "number_of_images": str(request.count),
            **self._callback,
        }
        with ExitStack() as stack:
            references = [("reference_images", path) for path in request.reference_images]
            files = open_uploads(stack, references) if references else None
            items = await self._run("/veo/create-image", journal, data=form, files=files)
        return GenerationResult(items=tuple(items))

    async def _run(
        self,
        path: str,
        journal: SubmissionJournal,
        *,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: FilesArgument | None = None,
    ) -> list[MediaItem]:
        return await run_task(
            self._client,
            self.poller,
            path,
            journal=journal,
            timeout_s=self._timeout_s,
            json=json,
            data=data,
            files=files,
        )
