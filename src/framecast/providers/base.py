"""Capabilities every provider implements, as Protocols, and the values they exchange: Studio's
(video, image, history, quota) first, then the Tutor's (speech to text, text to speech, chat, avatar,
real-time avatar call).

A provider is one vendor's implementation of one or more capabilities. Providers never decide
whether to retry: they raise :class:`framecast.core.errors.ProviderError` subclasses whose category
tells the job engine what is safe. Paid providers call ``journal.before_submit()`` and wait for it
*before* a request that may be charged leaves the process, so that a crash after that point is
known to be ambiguous and gets reconciled instead of resubmitted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from framecast.core.errors import ErrorCategory, InvalidInputError


class Mode(StrEnum):
    TEXT = "text"  # prompt -> video
    FRAMES = "frames"  # start frame (+ optional end frame) + prompt -> video
    INGREDIENTS = "ingredients"  # 1-3 reference images + prompt -> video
    IMAGE = "image"  # prompt (+ optional references) -> images

    @property
    def is_video(self) -> bool:
        return self is not Mode.IMAGE


class Aspect(StrEnum):
    LANDSCAPE = "landscape"  # 16:9
    PORTRAIT = "portrait"  # 9:16
    SQUARE = "square"  # 1:1, images only

    @classmethod
    def parse(cls, value: str) -> Aspect:
        """Accept our names, ratios (``16:9``) and GenAIPro enums (``VIDEO_ASPECT_RATIO_PORTRAIT``)."""
        text = value.strip().lower()
        aliases = {
            "landscape": cls.LANDSCAPE,
            "16:9": cls.LANDSCAPE,
            "horizontal": cls.LANDSCAPE,
            "portrait": cls.PORTRAIT,
            "9:16": cls.PORTRAIT,
            "vertical": cls.PORTRAIT,
            "square": cls.SQUARE,
            "1:1": cls.SQUARE,
        }
        for suffix, aspect in (
            ("landscape", cls.LANDSCAPE),
            ("portrait", cls.PORTRAIT),
            ("square", cls.SQUARE),
        ):
            if text.endswith("_" + suffix):
                return aspect
        if text in aliases:
            return aliases[text]
        raise InvalidInputError(f"unknown aspect ratio {value!r}; use landscape, portrait or square")


MAX_COUNT = 4
MAX_INGREDIENTS = 3


@dataclass(frozen=True)
class GenerationRequest:
    """One generation as the user asked for it; provider-neutral."""

    mode: Mode
    prompt: str
    aspect: Aspect = Aspect.LANDSCAPE
    count: int = 1
    start_image: Path | None = None
    end_image: Path | None = None
    reference_images: tuple[Path, ...] = ()
    # Options only some providers support (their ``ProviderTraits.options``); None: the provider's
    # default. See ``OPTION_LABELS`` for how users see them.
    duration_seconds: int | None = None
    resolution: str | None = None  # RESOLUTIONS
    negative_prompt: str | None = None  # what the video should not show
    person_generation: str | None = None  # PERSON_GENERATION
    seed: int | None = None
    generate_audio: bool | None = None

    def validate(self, labels: Mapping[str, str] | None = None) -> None:
        """Raise :class:`InvalidInputError` naming the first problem found; an option is named by
        its entry in ``labels`` (default ``OPTION_LABELS``; the pages pass ``OPTION_TITLES``)."""
        if not self.prompt.strip():
            raise InvalidInputError("the prompt is empty")
        self._validate_options(OPTION_LABELS if labels is None else labels)
        if not 1 <= self.count <= MAX_COUNT:
            raise InvalidInputError(f"count must be between 1 and {MAX_COUNT}, got {self.count}")
        if self.mode.is_video and self.aspect is Aspect.SQUARE:
            raise InvalidInputError("video can be landscape or portrait, not square")
        if self.mode is Mode.FRAMES and self.start_image is None:
            raise InvalidInputError("frames-to-video needs a start image")
        if self.mode is Mode.INGREDIENTS and not 1 <= len(self.reference_images) <= MAX_INGREDIENTS:
            raise InvalidInputError(
                f"ingredients-to-video needs 1 to {MAX_INGREDIENTS} reference images, "
                f"got {len(self.reference_images)}"
            )
        for image in self.images():
            if not image.is_file():
                raise InvalidInputError(f"image not found: {image}")

    def images(self) -> list[Path]:
        found = [p for p in (self.start_image, self.end_image) if p is not None]
        return found + list(self.reference_images)

    def options_given(self) -> list[str]:
        """The names (``OPTION_LABELS`` keys) of the optional settings this request sets."""
        return [name for name in OPTION_LABELS if getattr(self, name) is not None]

    def _validate_options(self, labels: Mapping[str, str]) -> None:
        if self.duration_seconds is not None and not (
            MIN_DURATION_S <= self.duration_seconds <= MAX_DURATION_S
        ):
            raise InvalidInputError(
                f"{labels['duration_seconds']} must be between {MIN_DURATION_S} and "
                f"{MAX_DURATION_S} seconds, got {self.duration_seconds}",
                field="duration_seconds",
            )
        for name, allowed in (("resolution", RESOLUTIONS), ("person_generation", PERSON_GENERATION)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InvalidInputError(
                    f"{labels[name]} must be one of {', '.join(allowed)}, got {value!r}",
                    field=name,
                )
        if self.negative_prompt is not None and not self.negative_prompt.strip():
            raise InvalidInputError(
                f"{labels['negative_prompt']} is empty; leave it out instead",
                field="negative_prompt",
            )
        if self.mode is Mode.IMAGE:
            for name in OPTION_TITLES:
                if name in VIDEO_ONLY_OPTIONS and getattr(self, name) is not None:
                    raise InvalidInputError(f"{labels[name]} is for videos, not images", field=name)


# Optional settings of a request, by field: how the pages label them, and the CLI option.
OPTION_TITLES: dict[str, str] = {
    "duration_seconds": "Duration",
    "resolution": "Resolution",
    "negative_prompt": "Negative prompt",
    "person_generation": "People",
    "seed": "Seed",
    "generate_audio": "Audio",
}
OPTION_FLAGS: dict[str, str] = {
    "duration_seconds": "--duration",
    "resolution": "--resolution",
    "negative_prompt": "--negative-prompt",
    "person_generation": "--person-generation",
    "seed": "--seed",
    "generate_audio": "--audio / --no-audio",
}
# As the CLI's messages name them: the title with the option in brackets, "Duration (--duration)".
OPTION_LABELS: dict[str, str] = {
    name: f"{title} ({OPTION_FLAGS[name]})" for name, title in OPTION_TITLES.items()
}
# Options that only make sense for a video; an image request setting one is refused.
VIDEO_ONLY_OPTIONS = frozenset({"duration_seconds", "resolution", "generate_audio"})
MIN_DURATION_S = 1
MAX_DURATION_S = 60
RESOLUTIONS = ("720p", "1080p", "4k")
PERSON_GENERATION = ("allow_all", "allow_adult", "dont_allow")


def refuse_unsupported_options(
    request: GenerationRequest,
    supported: frozenset[str],
    provider: str,
    labels: Mapping[str, str] = OPTION_LABELS,
) -> None:
    """Raise :class:`InvalidInputError` when ``request`` sets an option outside ``supported``,
    naming the option as users see it (its entry in ``labels``) and the provider (its label) that
    lacks it."""
    for name in request.options_given():
        if name not in supported:
            raise InvalidInputError(
                f"{provider} does not support {labels[name]}; leave it out or choose a provider that has it",
                field=name,
            )


@dataclass(frozen=True)
class Progress:
    """A progress report from a running generation."""

    status: str  # provider's word, e.g. "starting", "processing"
    percent: int | None = None


@dataclass(frozen=True)
class MediaItem:
    """One generated file: remote (``url``) or already on local disk (``path``)."""

    provider_id: str | None
    url: str | None = None
    path: Path | None = None
    prompt: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class GenerationResult:
    items: tuple[MediaItem, ...]


class HistoryStatus(StrEnum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class HistoryItem:
    """One row of a provider's generation history."""

    provider_id: str
    prompt: str
    status: HistoryStatus
    file_urls: tuple[str, ...] = ()
    created_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class HistoryPage:
    items: tuple[HistoryItem, ...]
    page: int
    page_size: int
    total: int
    total_pages: int


@dataclass(frozen=True)
class Quota:
    total: int | None
    used: int | None
    available: int | None  # None means unlimited (the offline provider)


@dataclass(frozen=True)
class Submission:
    """What the journal knows about an earlier submission that may have been charged."""

    request: GenerationRequest
    submitted_at: datetime
    provider_ids: tuple[str, ...] = ()
    # History ids already matched to other jobs: never match them again.
    excluded_ids: frozenset[str] = field(default_factory=frozenset)


class ReconcileState(StrEnum):
    FOUND = "found"  # completed items are in history: download them, do not resubmit
    PENDING = "pending"  # history shows it still processing: wait
    # History shows it failed after acceptance: charged unless the provider refunds failures, so it
    # is sent again only for a provider that does.
    FAILED = "failed"
    ABSENT = "absent"  # nothing matches: resubmit only once the grace period has passed


@dataclass(frozen=True)
class ReconcileOutcome:
    state: ReconcileState
    items: tuple[MediaItem, ...] = ()
    provider_ids: tuple[str, ...] = ()
    error: str | None = None
    # FAILED: what kind of failure the history row reports (unsafe content, else a server failure).
    error_category: ErrorCategory = ErrorCategory.SERVER


ProgressCallback = Callable[[Progress], Awaitable[None]]


class SubmissionJournal(Protocol):
    """The job engine's write-ahead record of paid submissions."""

    async def before_submit(self) -> None:
        """Durably record that a possibly charged request is about to be sent."""

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        """Durably record provider ids as soon as they are known."""

    async def progress(self, progress: Progress) -> None:
        """Report progress (not necessarily durable)."""


@runtime_checkable
class VideoGenerator(Protocol):
    name: str

    async def generate_video(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Generate ``request.count`` videos; raise ``ProviderError`` subclasses on failure."""
        ...


@runtime_checkable
class ImageGenerator(Protocol):
    name: str

    async def generate_image(
        self, request: GenerationRequest, journal: SubmissionJournal
    ) -> GenerationResult:
        """Generate ``request.count`` images; raise ``ProviderError`` subclasses on failure."""
        ...


@runtime_checkable
class GenerationHistory(Protocol):
    name: str

    async def list_history(self, page: int = 1, page_size: int = 20) -> HistoryPage:
        """One page of the provider's history, newest first."""
        ...

    async def reconcile(self, submission: Submission) -> ReconcileOutcome:
        """Find what became of an ambiguous submission (by id, else by prompt and time window)."""
        ...


@runtime_checkable
class QuotaReader(Protocol):
    name: str

    async def read_quota(self) -> Quota:
        """Credits available now."""
        ...


class NullJournal:
    """A journal that records nothing: for one-off calls outside the job engine."""

    async def before_submit(self) -> None:
        return None

    async def accepted(self, provider_ids: tuple[str, ...]) -> None:
        return None

    async def progress(self, progress: Progress) -> None:
        return None


# -- Tutor capabilities ----------------------------------------------------------------------------

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


class LiveConversation(Protocol):
    """A real-time avatar call that was opened: its id (to end it) and the room the browser joins."""

    @property
    def conversation_id(self) -> str: ...

    @property
    def conversation_url(self) -> str | None: ...


@runtime_checkable
class RealtimeAvatar(Protocol):
    """A live video call with a talking avatar (the Tutor's real-time mode). A call is billed and
    holds one of the account's concurrent slots from ``create`` until ``end``."""

    name: str

    async def create(
        self,
        *,
        conversation_name: str | None = None,
        conversational_context: str | None = None,
        custom_greeting: str | None = None,
        audio_only: bool | None = None,
        properties: dict[str, Any] | None = None,
    ) -> LiveConversation:
        """Open a call (billing starts now)."""
        ...

    async def end(self, conversation_id: str) -> None:
        """End the call and free its slot."""
        ...
