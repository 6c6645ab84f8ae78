"""The files the emulator serves: real clips and images from the offline renderer, and synthetic blobs.

Rendering is slow next to serving, so each (mode, aspect) is rendered once — short, small, 12 fps —
in a worker thread, and every generated item is served that same file under its own URL. Renders go
to a temporary name and are renamed into place, so emulators sharing a folder can reuse each other's
files and never see half a file.

Blobs (``/files/blob-<N>.mp4``) are N bytes that start like an MP4 (an ``ftyp`` box, then an
``mdat`` box header) followed by zeros, streamed without holding them in memory: for download
benchmarks of any size.
"""

from __future__ import annotations

import asyncio
import os
import struct
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TypeAlias

from framecast.providers.base import Aspect, Mode

FPS = 12
MIN_BLOB_SIZE = 32
MAX_BLOB_SIZE = 64 * 1024**3
_FTYP = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 0x200, b"isom", b"iso2")
_CHUNK = bytes(1024 * 1024)
_Render: TypeAlias = Callable[[Path], None]
GENAIPRO_CARDS = {
    Mode.TEXT: "GenAIPro emulator: text to video",
    Mode.FRAMES: "GenAIPro emulator: frames to video",
    Mode.INGREDIENTS: "GenAIPro emulator: ingredients to video",
    Mode.IMAGE: "GenAIPro emulator: create image",
}


class MediaLibrary:
    """Renders, caches and hands out the one clip per (mode, aspect) and the one image per aspect,
    each with the card text ``cards`` gives its mode (which emulator made it); the card set's name is in
    the cached files' names, so emulators of different vendors can share a folder.

    Methods raise whatever the offline renderer raises (for instance ``ImportError`` while it is not
    installed); a failed render is tried again on the next call.
    """

    def __init__(
        self,
        root: Path,
        *,
        seconds: float,
        short_side: int,
        seed: int = 0,
        cards: Mapping[Mode, str] = GENAIPRO_CARDS,
        cards_name: str = "genaipro",
    ) -> None:
        self.root = root
        self.cards = cards
        self.cards_name = cards_name
        self.seconds = seconds
        self.short_side = short_side
        self.seed = seed
        self._locks: dict[str, asyncio.Lock] = {}

    async def video(self, mode: Mode, aspect: Aspect) -> Path:
        """The clip served for every ``mode`` video of this ``aspect``, rendered on first use."""
        if mode is Mode.IMAGE:
            raise ValueError("images are served by MediaLibrary.image")
        start = await self.image(aspect) if mode in (Mode.FRAMES, Mode.INGREDIENTS) else None
        name = f"{self.cards_name}-{mode.value}-{aspect.value}-{self.seconds:g}s-{self.short_side}p.mp4"
        return await self._cached(name, lambda dest: self._render_video(mode, aspect, start, dest))

    async def image(self, aspect: Aspect) -> Path:
        """The PNG served for every image of this ``aspect``, rendered on first use."""
        name = f"{self.cards_name}-image-{aspect.value}-{self.short_side}p.png"
        return await self._cached(name, lambda dest: self._render_image(aspect, dest))

    async def _cached(self, name: str, render: _Render) -> Path:
        final = self.root / name
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            if final.is_file():
                return final
            self.root.mkdir(parents=True, exist_ok=True)
            partial = self.root / f".{uuid.uuid4().hex}-{name}"
            try:
                await asyncio.to_thread(render, partial)
                os.replace(partial, final)
            finally:
                partial.unlink(missing_ok=True)
            return final

    def _render_video(self, mode: Mode, aspect: Aspect, start: Path | None, dest: Path) -> None:
        from framecast.providers.offline import render  # heavy (OpenCV, PyAV): only when first needed

        text = self.cards[mode]
        seconds, size, seed = self.seconds, self.short_side, self.seed
        if mode is Mode.TEXT or start is None:
            render.render_text_video(text, aspect, dest, seconds=seconds, fps=FPS, short_side=size, seed=seed)
        elif mode is Mode.FRAMES:
            render.render_frames_video(
                text, start, None, aspect, dest, seconds=seconds, fps=FPS, short_side=size, seed=seed
            )
        else:
            render.render_ingredients_video(
                text, [start], aspect, dest, seconds=seconds, fps=FPS, short_side=size, seed=seed
            )

    def _render_image(self, aspect: Aspect, dest: Path) -> None:
        from framecast.providers.offline import render

        render.render_image(self.cards[Mode.IMAGE], aspect, dest, short_side=self.short_side, seed=self.seed)


def blob_size_ok(size: int) -> bool:
    return MIN_BLOB_SIZE <= size <= MAX_BLOB_SIZE


async def blob_chunks(size: int) -> AsyncIterator[bytes | memoryview]:
    """``size`` bytes: an ``ftyp`` box, an ``mdat`` header covering the rest, zeros.

    Raises ``ValueError`` for a size that fails :func:`blob_size_ok`; check it before streaming.
    """
    if not blob_size_ok(size):
        raise ValueError(f"blob size must be between {MIN_BLOB_SIZE} and {MAX_BLOB_SIZE} bytes")
    rest = size - len(_FTYP)
    if rest <= 0xFFFFFFFF:
        header = _FTYP + struct.pack(">I4s", rest, b"mdat")
    else:  # a 64-bit "largesize" box
        header = _FTYP + struct.pack(">I4sQ", 1, b"mdat", rest)
    yield header
    left = size - len(header)
    view = memoryview(_CHUNK)
    while left > 0:
        step = min(left, len(_CHUNK))
        yield view[:step]
        left -= step
