"""Tutor capabilities — speech to text, text to speech, chat, talking avatar — as Protocols, and the
values they exchange. Like ``providers/base.py`` for Studio: providers raise ``ProviderError``
subclasses (``core/errors.py``) and never decide retries themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from framecast.providers.base import MediaItem

AudioFormat = Literal["mp3", "wav"]
Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float  # seconds
    end: float
    confidence: float | None = None  # 0..1 where the engine gives one


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[WordTiming, ...] = ()
    language: str | None = None


@dataclass(frozen=True)
class SpeechAudio:
    data: bytes
    mime: str  # audio/mpeg | audio/wav
    sample_rate: int | None = None


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@runtime_checkable
class SpeechToText(Protocol):
    name: str

    async def transcribe(self, audio: bytes, *, mime: str | None = None, language: str = "en") -> Transcript:
        """Text (and word timings where available) of ``audio`` (webm/opus, ogg, mp4/aac, wav, mp3).

        Raises ``InvalidInputError`` when the audio cannot be decoded.
        """
        ...


@runtime_checkable
class TextToSpeech(Protocol):
    name: str

    async def synthesize(
        self, text: str, *, voice: str | None = None, audio_format: AudioFormat = "mp3"
    ) -> SpeechAudio:
        """Speech for ``text``."""
        ...


@runtime_checkable
class ChatModel(Protocol):
    name: str

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        temperature: float = 0.7,
    ) -> str:
        """The assistant's whole reply (a JSON document when ``json_schema`` is given)."""
        ...

    def stream(self, messages: Sequence[ChatMessage], *, temperature: float = 0.7) -> AsyncIterator[str]:
        """The reply in pieces as they are generated."""
        ...


@runtime_checkable
class AvatarRenderer(Protocol):
    name: str

    async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
        """A talking-head video of ``portrait`` speaking ``audio``: a local file or a URL to download."""
        ...


@runtime_checkable
class RemoteAvatarRenderer(AvatarRenderer, Protocol):
    """An avatar renderer that charges per render and works in two steps, so the caller can store
    the remote id between them and, after a crash, wait for the render it already paid for."""

    async def start_render(self, audio: SpeechAudio) -> str:
        """Submit the render; its remote id."""
        ...

    async def wait(self, render_id: str) -> MediaItem:
        """The finished render (usually a URL to download)."""
        ...
