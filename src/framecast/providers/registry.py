"""The one place providers are built from settings; tests register fakes the same way.

Studio: a *provider set* bundles what one vendor offers (video, image, history, quota), built by name
with :func:`build`. Tutor: one provider per capability (``stt``, ``tts``, ``chat``, ``avatar``) and
vendor, built with :func:`build_tutor`. Built-in vendors are registered below exactly as a plugin or a
test would register its own with :func:`register` / :func:`register_tutor`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from framecast.core.errors import ConfigurationError
from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers.base import GenerationHistory, ImageGenerator, QuotaReader, VideoGenerator


@dataclass
class ProviderBundle:
    name: str
    video: VideoGenerator | None = None
    image: ImageGenerator | None = None
    history: GenerationHistory | None = None
    quota: QuotaReader | None = None
    http: httpx.AsyncClient | None = None
    # True when a request may cost money; such requests go through the write-ahead journal.
    paid: bool = False

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.aclose()


@dataclass(frozen=True)
class BuildContext:
    settings: Settings
    work_dir: Path
    api_key: str | None = None
    transport: httpx.AsyncBaseTransport | None = None
    # Requests the caller will have in flight at once (a worker's --concurrency); sizes the pool.
    concurrency: int | None = None


ProviderFactory = Callable[[BuildContext], ProviderBundle]

_FACTORIES: dict[str, ProviderFactory] = {}


def register(name: str, factory: ProviderFactory) -> None:
    """Register (or replace) the factory for a provider name."""
    _FACTORIES[name] = factory


def unregister(name: str) -> None:
    _FACTORIES.pop(name, None)


def provider_names() -> list[str]:
    return sorted(_FACTORIES)


def build(name: str, context: BuildContext) -> ProviderBundle:
    """Build the named provider; raises :class:`ConfigurationError` for an unknown name."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(provider_names())
        raise ConfigurationError(f"unknown provider {name!r}; known providers: {known}") from None
    return factory(context)


def _offline(context: BuildContext) -> ProviderBundle:
    from framecast.providers.offline.image import OfflineImageProvider
    from framecast.providers.offline.quota import OfflineQuotaProvider
    from framecast.providers.offline.video import OfflineVideoProvider

    work = context.work_dir / "offline"
    work.mkdir(parents=True, exist_ok=True)
    offline = context.settings.offline
    return ProviderBundle(
        name="offline",
        video=OfflineVideoProvider(offline, work),
        image=OfflineImageProvider(offline, work),
        quota=OfflineQuotaProvider(),
    )


def _genaipro(context: BuildContext) -> ProviderBundle:
    from framecast.providers.genaipro.history import GenAIProHistoryProvider
    from framecast.providers.genaipro.image import GenAIProImageProvider
    from framecast.providers.genaipro.quota import GenAIProQuotaProvider
    from framecast.providers.genaipro.video import GenAIProVideoProvider

    config = context.settings.genaipro
    http = build_http_client(
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.idle_timeout_s,
        # Streams in flight, plus room for downloads and history look-ups running beside them.
        max_connections=(context.concurrency or config.concurrency) + 20,
        transport=context.transport,
    )
    key = context.api_key
    return ProviderBundle(
        name="genaipro",
        video=GenAIProVideoProvider(http, config, key),
        image=GenAIProImageProvider(http, config, key),
        history=GenAIProHistoryProvider(http, config, key),
        quota=GenAIProQuotaProvider(http, config, key),
        http=http,
        paid=True,
    )


register("offline", _offline)
register("genaipro", _genaipro)


# -- Tutor -----------------------------------------------------------------------------------------

TutorCapability = Literal["stt", "tts", "chat", "avatar"]


@dataclass
class TutorContext:
    """What a Tutor provider factory gets: the settings and a shared HTTP client made on first use."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None
    http: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self.http is None:
            self.http = build_http_client(read_timeout_s=120.0, transport=self.transport)
        return self.http


# A factory returns a SpeechToText, TextToSpeech, ChatModel or AvatarRenderer (see providers/base.py).
TutorFactory = Callable[[TutorContext], Any]
_TUTOR_FACTORIES: dict[tuple[str, str], TutorFactory] = {}


def register_tutor(capability: TutorCapability, name: str, factory: TutorFactory) -> None:
    """Register (or replace) the factory of one Tutor capability's provider."""
    _TUTOR_FACTORIES[(capability, name)] = factory


def unregister_tutor(capability: TutorCapability, name: str) -> None:
    _TUTOR_FACTORIES.pop((capability, name), None)


def tutor_provider_names(capability: TutorCapability) -> list[str]:
    return sorted(name for cap, name in _TUTOR_FACTORIES if cap == capability)


def build_tutor(capability: TutorCapability, name: str, context: TutorContext) -> Any:
    """Build a Tutor provider; raises :class:`ConfigurationError` for an unknown name, and whatever
    the factory raises (``ConfigurationError`` for a missing key)."""
    try:
        factory = _TUTOR_FACTORIES[(capability, name)]
    except KeyError:
        known = ", ".join(tutor_provider_names(capability))
        raise ConfigurationError(f"unknown {capability} provider {name!r}; known: {known}") from None
    return factory(context)


def _offline_stt(_: TutorContext) -> Any:
    from framecast.providers.offline.stt import OfflineSpeechToTextProvider

    return OfflineSpeechToTextProvider()


def _elevenlabs_stt(context: TutorContext) -> Any:
    from framecast.providers.elevenlabs.stt import ElevenLabsSpeechToTextProvider

    return ElevenLabsSpeechToTextProvider.from_settings(context.client(), context.settings.elevenlabs)


def _offline_tts(context: TutorContext) -> Any:
    from framecast.providers.offline.tts import OfflineTextToSpeechProvider

    return OfflineTextToSpeechProvider(default_voice=context.settings.tutor.offline_voice)


def _elevenlabs_tts(context: TutorContext) -> Any:
    from framecast.providers.elevenlabs.tts import ElevenLabsTextToSpeechProvider

    return ElevenLabsTextToSpeechProvider.from_settings(context.client(), context.settings.elevenlabs)


def _openrouter_chat(context: TutorContext) -> Any:
    from framecast.providers.openrouter.chat import OpenRouterChatProvider

    return OpenRouterChatProvider.from_settings(context.client(), context.settings.openrouter)


def _offline_avatar(_: TutorContext) -> Any:
    from framecast.providers.offline.avatar import OfflineAvatarRenderer

    return OfflineAvatarRenderer()


def _did_avatar(context: TutorContext) -> Any:
    settings = context.settings
    if not settings.tutor.public_base_url:
        raise ConfigurationError(
            "D-ID downloads the speech from a public URL: set FRAMECAST_TUTOR__PUBLIC_BASE_URL to the "
            "address where this server is reachable from the internet"
        )
    from framecast.providers.did.talks import DIDAvatarProvider
    from framecast.tutor.public_audio import publisher

    return DIDAvatarProvider.from_settings(
        context.client(), settings.did, audio_publisher=publisher(settings)
    )


register_tutor("stt", "offline", _offline_stt)
register_tutor("stt", "elevenlabs", _elevenlabs_stt)
register_tutor("tts", "offline", _offline_tts)
register_tutor("tts", "elevenlabs", _elevenlabs_tts)
register_tutor("chat", "openrouter", _openrouter_chat)
register_tutor("avatar", "offline", _offline_avatar)
register_tutor("avatar", "did", _did_avatar)
