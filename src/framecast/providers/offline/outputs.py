"""Rendering a request's outputs off the event loop, with progress, unique names and clean failure.

Shared by the offline video and image providers. Rendering is CPU-bound, so each output is drawn
in a worker thread; a process-wide semaphore keeps the number of renders running at once to about
half the CPU cores (each render also keeps the encoder's threads busy), so a large batch queues
instead of thrashing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread

from framecast.core.errors import ErrorCategory, FramecastError, NotSentError
from framecast.providers.base import (
    GenerationRequest,
    GenerationResult,
    MediaItem,
    Progress,
    SubmissionJournal,
)

PROVIDER = "offline"

_RENDER_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))

RenderOne = Callable[[Path, int], Path]
"""Render one output to the given path with the given seed; return the path."""


async def render_outputs(
    request: GenerationRequest,
    journal: SubmissionJournal,
    work_dir: Path,
    suffix: str,
    render_one: RenderOne,
) -> GenerationResult:
    """Render ``request.count`` outputs (seeds 0, 1, ...) into ``work_dir`` as ``offline-<uuid><suffix>``.

    Raises :class:`InvalidInputError` (from the renderer) for a bad input, naming it, and
    :class:`NotSentError` (category ``server``, safe to retry: nothing is ever charged) when rendering
    fails for another reason. On failure, outputs already written by this call are deleted.
    """
    await journal.progress(Progress("starting", 0))
    items: list[MediaItem] = []
    written: list[Path] = []
    try:
        for index in range(request.count):
            token = uuid.uuid4().hex
            dest = work_dir / f"{PROVIDER}-{token}{suffix}"
            # Listed before rendering: a cancelled call still waits for its thread, which may finish the file.
            written.append(dest)
            await anyio.to_thread.run_sync(functools.partial(_render_in_slot, render_one, dest, index))
            items.append(
                MediaItem(
                    provider_id=f"{PROVIDER}-{token}",
                    path=dest,
                    prompt=request.prompt,
                    created_at=datetime.now(UTC),
                )
            )
            percent = round(100 * (index + 1) / request.count)
            status = "completed" if index + 1 == request.count else "processing"
            await journal.progress(Progress(status, percent))
    except BaseException as error:
        for path in written:
            # Cleaning up must not hide the error that brought us here.
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        if isinstance(error, FramecastError) or not isinstance(error, Exception):
            raise
        raise NotSentError(
            f"offline render failed: {error}", provider=PROVIDER, category=ErrorCategory.SERVER
        ) from error
    return GenerationResult(items=tuple(items))


def _render_in_slot(render_one: RenderOne, dest: Path, seed: int) -> Path:
    with _RENDER_SLOTS:
        return render_one(dest, seed)
