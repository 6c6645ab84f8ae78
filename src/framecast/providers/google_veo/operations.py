"""Veo's long-running operation: poll it until done, then turn its outcome into files or an error.

Used by the video provider right after the create call (whose operation name the journal already
holds) and by reconcile after a crash or restart (from the stored name), so both read an operation
the same way. Polls are free reads: a cut, a 429 or a 5xx is tried again up to
``FRAMECAST_GOOGLE__POLL_ATTEMPTS`` times before the job is handed to reconcile, which keeps polling
the same name; nothing here ever creates an operation.

Outcomes of a finished operation:

- ``error`` — Google failed it: :class:`GenerationFailedError` (Google bills only generated videos,
  so the engine may send it again: the provider's ``refunds_failures`` trait).
- ``response`` with ``rai_media_filtered_count`` and no video — the safety filters removed every
  video: :class:`GenerationFailedError` with the ``unsafe_content`` category and Google's reasons.
- videos — each downloaded through the SDK (``files.download`` on the Gemini API; Vertex AI returns
  the bytes inline), verified and written under the provider's work folder.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import anyio
from google.genai import types

from framecast.core.errors import (
    AmbiguousError,
    DownloadError,
    ErrorCategory,
    GenerationFailedError,
    InvalidInputError,
    PermanentError,
    ProviderError,
)
from framecast.providers.base import MediaItem, Progress, SubmissionJournal
from framecast.providers.google_veo.client import GoogleClient
from framecast.providers.google_veo.failures import PROVIDER, translate
from framecast.providers.google_veo.results import save_result

log = logging.getLogger(__name__)


class OperationReader:
    """Reads operations by name and writes their videos under ``work_dir``."""

    def __init__(self, client: GoogleClient, work_dir: Path, *, max_bytes: int) -> None:
        self._client = client
        self._work_dir = work_dir
        self._max_bytes = max_bytes

    async def wait(self, name: str, journal: SubmissionJournal) -> types.GenerateVideosOperation:
        """Poll ``name`` every ``poll_s`` seconds until it is done; raises what :meth:`read` raises."""
        while True:
            await journal.progress(Progress("processing"))
            operation = await self.read(name)
            if operation.done:
                return operation
            await anyio.sleep(self._client.config.poll_s)

    async def read(self, name: str) -> types.GenerateVideosOperation:
        """The operation as Google reports it now.

        Raises :class:`AmbiguousError` after ``poll_attempts`` failed polls in a row (the operation
        is still Google's; reconcile reads it again later) and :class:`PermanentError` for an
        operation Google does not know or a key it refuses.
        """
        config = self._client.config
        attempts = max(1, config.poll_attempts)
        last: ProviderError | None = None
        for attempt in range(1, attempts + 1):
            try:
                return await self._client.aio().operations.get(
                    types.GenerateVideosOperation.model_validate({"name": name})
                )
            except Exception as exc:  # every SDK failure is translated in one place
                error = translate(exc, sent=f"polling {name}")
            if isinstance(error, InvalidInputError):
                raise error
            if isinstance(error, PermanentError):
                raise error
            last = error
            if attempt < attempts:
                log.info("poll of %s failed (%s); trying again", name, error)
                await anyio.sleep(max(config.poll_s, error.retry_after or 0.0))
        raise AmbiguousError(
            f"could not read operation {name} after {attempts} tries ({last}); it will be looked up again",
            provider=PROVIDER,
        )

    async def collect(self, operation: types.GenerateVideosOperation) -> tuple[MediaItem, ...]:
        """The finished operation's videos, on local disk.

        Raises :class:`GenerationFailedError` (unsafe content, or Google's failure),
        :class:`AmbiguousError` when the videos cannot be fetched now (the operation keeps them;
        reconcile fetches them again) and :class:`PermanentError` for a result the SDK cannot fetch.
        """
        name = operation.name or "operation"
        if operation.error:
            raise GenerationFailedError(
                f"Google failed the generation: {_error_text(operation.error)}", provider=PROVIDER
            )
        response = operation.response or operation.result
        videos = [v.video for v in (response.generated_videos or []) if v.video] if response else []
        if not videos:
            filtered = response.rai_media_filtered_count if response else None
            if filtered:
                reasons = "; ".join(response.rai_media_filtered_reasons or []) if response else ""
                raise GenerationFailedError(
                    f"Google's safety filters removed {filtered} video{'s' if filtered != 1 else ''}"
                    f"{': ' + reasons if reasons else ''}",
                    provider=PROVIDER,
                    category=ErrorCategory.UNSAFE_CONTENT,
                )
            raise GenerationFailedError("Google finished the generation without a video", provider=PROVIDER)
        items = []
        for index, video in enumerate(videos):
            dest = self._work_dir / f"{_stem(name)}-{index}.mp4"
            data = await self._video_bytes(video, name)
            try:
                path = await save_result(data, dest, kind="video", max_bytes=self._max_bytes)
            except DownloadError as exc:
                raise AmbiguousError(f"{name}: {exc}", provider=PROVIDER) from exc
            items.append(MediaItem(provider_id=name, path=path))
        return tuple(items)

    async def _video_bytes(self, video: types.Video, name: str) -> bytes:
        if video.video_bytes:
            return video.video_bytes
        if self._client.vertex or not video.uri:
            raise PermanentError(
                f"{name}: the video is at {video.uri or 'no address'}, which the SDK cannot download; "
                "fetch it from Cloud Storage",
                provider=PROVIDER,
                category=ErrorCategory.SERVER,
            )
        try:
            # The async download takes the uri (the sync one also a Video); the SDK keeps only the
            # file id from it and asks its own base URL.
            data = await self._client.aio().files.download(file=video.uri)
        except Exception as exc:  # translated in one place
            error = translate(exc, sent=f"downloading the video of {name}")
            # Generated and paid for: never a reason to generate again, only to fetch again later.
            raise AmbiguousError(str(error), provider=PROVIDER) from exc
        return data or b""


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message") or "no reason given"
        return f"{message} (code {code})" if code is not None else str(message)
    return str(error)


def _stem(name: str) -> str:
    """A file-name-safe stem from an operation name (``models/veo/operations/abc`` -> ``abc``)."""
    tail = name.rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", tail) or "operation"
