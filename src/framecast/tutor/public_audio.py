"""Speech published at an unguessable URL for a remote renderer (D-ID) to download.

D-ID fetches the audio of a talk itself, so the speech must sit at a public ``https://`` address.
Each clip is written under ``<data_dir>/tutor/public/`` with a random 32-byte name: the name is the
capability, nothing else is served from that folder, and clips older than ``TTL_S`` are removed
whenever a new one is published. The route is ``GET /public/tutor-audio/{name}``.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio

from framecast.core.files import write_bytes_atomically
from framecast.core.media_types import MP3, audio_type_of
from framecast.core.settings import Settings
from framecast.providers.base import SpeechAudio

TTL_S = 3600.0
NAME = re.compile(r"^[A-Za-z0-9_-]{43}\.(mp3|wav)$")


def public_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "tutor" / "public"


def _write(folder: Path, audio: SpeechAudio) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - TTL_S
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = f"{secrets.token_urlsafe(32)}{(audio_type_of(audio.mime) or MP3).extension}"
    write_bytes_atomically(folder / name, audio.data)
    return name


def publisher(settings: Settings) -> Callable[[SpeechAudio], Awaitable[str]]:
    """A coroutine function that stores a clip and returns its public URL."""
    folder = public_dir(settings)
    base = settings.tutor.public_base_url.rstrip("/")

    async def publish(audio: SpeechAudio) -> str:
        name = await anyio.to_thread.run_sync(_write, folder, audio)
        return f"{base}/public/tutor-audio/{name}"

    return publish


def find(settings: Settings, name: str) -> Path | None:
    """The published clip called ``name`` while it is fresh, else None."""
    if not NAME.match(name):
        return None
    path = public_dir(settings) / name
    if not path.is_file() or path.stat().st_mtime < time.time() - TTL_S:
        return None
    return path
