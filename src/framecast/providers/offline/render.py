"""The offline renderer's public functions: one per generation mode, each writing one file.

Videos are H.264 MP4 (see :mod:`framecast.providers.offline.encode`), images PNG. Sizes follow the
aspect and ``short_side``: landscape 720 gives 1280x720, portrait 720x1280, square 720x720. ``seed``
changes colours and camera moves, so the outputs of one multi-output request differ. Every function
checks its inputs before rendering and raises :class:`InvalidInputError` naming what is wrong
(an unreadable image names its file); ``dest`` appears only once complete.

These functions are CPU-bound and block: async callers run them in a worker thread.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from framecast.core.errors import InvalidInputError
from framecast.providers.base import MAX_INGREDIENTS, Aspect
from framecast.providers.offline.camera import Frame, frame_size
from framecast.providers.offline.cards import card_frames, card_still, random_for
from framecast.providers.offline.compose import compose_still, ingredients_frames
from framecast.providers.offline.encode import write_mp4
from framecast.providers.offline.flow import interpolation_frames, push_in_frames
from framecast.providers.offline.input_images import cover_fit, load_image

MAX_SECONDS = 60.0
MAX_FPS = 60


def render_text_video(
    prompt: str,
    aspect: Aspect,
    dest: Path,
    *,
    seconds: float = 8.0,
    fps: int = 24,
    short_side: int = 720,
    seed: int = 0,
) -> Path:
    """Text-to-video: the prompt's storyboard card filmed with a slow camera move. Returns ``dest``."""
    width, height = frame_size(aspect, short_side)
    count = frame_count(seconds, fps)
    frames = card_frames(prompt, width, height, count, seed)
    return write_mp4(frames, dest, width=width, height=height, fps=fps)


def render_frames_video(
    prompt: str,
    start: Path,
    end: Path | None,
    aspect: Aspect,
    dest: Path,
    *,
    seconds: float = 8.0,
    fps: int = 24,
    short_side: int = 720,
    seed: int = 0,
) -> Path:
    """Frames-to-video: optical-flow interpolation from ``start`` to ``end``; a push-in without ``end``.

    Both images are cover-fitted to the frame (upright per EXIF). Returns ``dest``.
    """
    width, height = frame_size(aspect, short_side)
    count = frame_count(seconds, fps)
    first = cover_fit(load_image(start), width, height)
    if end is None:
        frames = push_in_frames(first, count, random_for(prompt, seed))
    else:
        last = cover_fit(load_image(end), width, height)
        frames = interpolation_frames(first, last, count)
    return write_mp4(frames, dest, width=width, height=height, fps=fps)


def render_ingredients_video(
    prompt: str,
    references: Sequence[Path],
    aspect: Aspect,
    dest: Path,
    *,
    seconds: float = 8.0,
    fps: int = 24,
    short_side: int = 720,
    seed: int = 0,
) -> Path:
    """Ingredients-to-video: 1-3 references composed into a scene the camera travels across."""
    if not 1 <= len(references) <= MAX_INGREDIENTS:
        raise InvalidInputError(
            f"ingredients-to-video needs 1 to {MAX_INGREDIENTS} reference images, got {len(references)}"
        )
    width, height = frame_size(aspect, short_side)
    count = frame_count(seconds, fps)
    images = [load_image(path) for path in references]
    frames = ingredients_frames(prompt, images, width, height, count, seed)
    return write_mp4(frames, dest, width=width, height=height, fps=fps)


def render_image(
    prompt: str,
    aspect: Aspect,
    dest: Path,
    *,
    references: Sequence[Path] = (),
    short_side: int = 720,
    seed: int = 0,
) -> Path:
    """Create-image: a PNG of the prompt's card, or of the references composed with the prompt as caption."""
    if len(references) > MAX_INGREDIENTS:
        raise InvalidInputError(f"at most {MAX_INGREDIENTS} reference images, got {len(references)}")
    width, height = frame_size(aspect, short_side)
    if references:
        image = compose_still(prompt, [load_image(path) for path in references], width, height, seed)
    else:
        image = card_still(prompt, width, height, seed)
    return write_png(image, dest)


def frame_count(seconds: float, fps: int) -> int:
    """Frames in a clip of ``seconds`` at ``fps``; raises :class:`InvalidInputError` outside the limits."""
    if not 0 < seconds <= MAX_SECONDS:
        raise InvalidInputError(f"seconds must be more than 0 and at most {MAX_SECONDS:g}, got {seconds:g}")
    if not 1 <= fps <= MAX_FPS:
        raise InvalidInputError(f"fps must be between 1 and {MAX_FPS}, got {fps}")
    return max(1, round(seconds * fps))


def write_png(image: Frame, dest: Path) -> Path:
    """Write ``image`` as PNG through a temporary file renamed into place. Returns ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        with temp.open("wb") as handle:
            Image.fromarray(image).save(handle, format="PNG")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, dest)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return dest
