"""The one place providers are built from settings; tests register fakes the same way.

Studio: a *provider set* bundles what one vendor offers (video, image, history, quota), built by name
with :func:`build`; its :class:`ProviderTraits` (label, whether it is paid, pricing, limits, refund
rule) are known without building it, from :func:`traits`. Tutor: one provider per capability
(``stt``, ``tts``, ``chat``, ``avatar``) and vendor, built with :func:`build_tutor`. Built-in vendors
are registered below exactly as a plugin or a test would register its own with :func:`register` /
:func:`register_tutor`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from framecast.core.errors import ConfigurationError
from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers.base import (
    GenerationHistory,
    ImageGenerator,
    Mode,
    QuotaReader,
    SpeechAudio,
    VideoGenerator,
)


@dataclass(frozen=True)
class ProviderTraits:
    """What the engine, the pages and the CLI know of a provider without building it.

    The provider's own rules live here rather than as ``if name == ...`` in generic code.
    """

    label: str = ""  # as users see it: "GenAIPro · Veo"
    # Requests may cost money: they go through the write-ahead journal and show their cost.
    paid: bool = False
    # Credits one video / one image costs (0 for a free provider).
    credits_per_video: int = 0
    credits_per_image: int = 0
    # A generation the provider accepted and then failed is refunded, so sending it again is free.
    refunds_failures: bool = False
    # Requests in flight at once and generation requests per minute; None: one per two CPU cores,
    # and no rate limit (local rendering).
    concurrency: int | None = None
    rate_per_minute: float | None = None
    # Ambiguous submissions: how often to look in the history, and for how long before resending.
    reconcile_poll_s: float = 5.0
    reconcile_grace_s: float = 90.0
    # The limits are a remote account's, shared by every worker on every host (False: the host's
    # own, as for local rendering).
    account_limits: bool = False

    def credits_for(self, mode: Mode, count: int) -> int:
        """What ``count`` videos (or images, for ``Mode.IMAGE``) cost, in credits."""
        unit = self.credits_per_image if mode is Mode.IMAGE else self.credits_per_video
        return unit * count


@dataclass(frozen=True)
class DownloadAuth:
    """The ``Authorization`` value a result download may send after a 401/403, and where to.

    The key goes only to ``hosts`` (a name matches itself and its subdomains), never to whatever
    host a result URL happens to name.
    """

    header: str
    hosts: frozenset[str]

    def for_url(self, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not host:
            return None
        for allowed in self.hosts:
            if host == allowed or host.endswith("." + allowed):
                return self.header
        return None


def key_hosts(base_url: str, extra: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """The hosts a provider's key may be sent to: its API host (its parent domain too, when the
    host is a name rather than an address) and the ``extra`` names configured for it."""
    host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    hosts = {name.strip().lower().rstrip(".") for name in extra if name.strip()}
    if host:
        hosts.add(host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            labels = host.split(".")
            if len(labels) > 2:
                hosts.add(".".join(labels[-2:]))
    return frozenset(hosts)


@dataclass
class ProviderBundle:
    name: str
    video: VideoGenerator | None = None
    image: ImageGenerator | None = None
    history: GenerationHistory | None = None
    quota: QuotaReader | None = None
    http: httpx.AsyncClient | None = None
    traits: ProviderTraits = field(default_factory=ProviderTraits)
    # The key of this bundle for result downloads that answer 401/403; None: downloads never send one.
    download_auth: DownloadAuth | None = None

    @property
    def paid(self) -> bool:
        """True when a request may cost money; such requests go through the write-ahead journal."""
        return self.traits.paid

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
TraitsFactory = Callable[[Settings], ProviderTraits]

_FACTORIES: dict[str, ProviderFactory] = {}
_TRAITS: dict[str, TraitsFactory] = {}


def register(name: str, factory: ProviderFactory, traits: TraitsFactory | None = None) -> None:
    """Register (or replace) the factory for a provider name, and its traits (by default a free
    provider labelled with its name)."""
    _FACTORIES[name] = factory
    _TRAITS[name] = traits or (lambda _settings: ProviderTraits(label=name))


def unregister(name: str) -> None:
    _FACTORIES.pop(name, None)
    _TRAITS.pop(name, None)


def provider_names() -> list[str]:
    return sorted(_FACTORIES)


def traits(name: str, settings: Settings) -> ProviderTraits:
    """The named provider's traits; raises :class:`ConfigurationError` for an unknown name."""
    try:
        make = _TRAITS[name]
    except KeyError:
        raise _unknown(name) from None
    return make(settings)


def label(name: str, settings: Settings) -> str:
    """The provider's name as users see it ("GenAIPro · Veo"); the bare name for an unknown one."""
    make = _TRAITS.get(name)
    return (make(settings).label if make is not None else "") or name


def may_charge(name: str, settings: Settings) -> bool:
    """Whether requests to ``name`` may cost money; an unknown (uninstalled) provider may."""
    make = _TRAITS.get(name)
    return make is None or make(settings).paid


def paid_provider_names(settings: Settings) -> list[str]:
    """The registered providers whose requests cost money (and so take a key)."""
    return [name for name in provider_names() if traits(name, settings).paid]


def build(name: str, context: BuildContext) -> ProviderBundle:
    """Build the named provider; raises :class:`ConfigurationError` for an unknown name."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise _unknown(name) from None
    return factory(context)


def _unknown(name: str) -> ConfigurationError:
    known = ", ".join(provider_names())
    return ConfigurationError(f"unknown provider {name!r}; known providers: {known}")


def _offline_traits(settings: Settings) -> ProviderTraits:
    return ProviderTraits(label="Offline renderer (local, free)", rate_per_minute=None)


def _genaipro_traits(settings: Settings) -> ProviderTraits:
    config = settings.genaipro
    return ProviderTraits(
        label="GenAIPro · Veo",
        paid=True,
        credits_per_video=config.credits_per_video,
        credits_per_image=config.credits_per_image,
        refunds_failures=config.refunds_failed_generations,
        concurrency=config.concurrency,
        rate_per_minute=config.rate_per_minute,
        reconcile_poll_s=config.reconcile_poll_s,
        reconcile_grace_s=config.reconcile_grace_s,
        account_limits=True,
    )


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
        traits=_offline_traits(context.settings),
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
    # Result downloads that answer 401/403 are tried once more with the job's own key: the user's,
    # else the platform's (the same one the generation used).
    download_key = (key or "").strip() or (
        config.api_key.get_secret_value().strip() if config.api_key is not None else ""
    )
    auth = (
        DownloadAuth(f"Bearer {download_key}", key_hosts(config.base_url, config.key_hosts))
        if download_key
        else None
    )
    return ProviderBundle(
        name="genaipro",
        video=GenAIProVideoProvider(http, config, key),
        image=GenAIProImageProvider(http, config, key),
        history=GenAIProHistoryProvider(http, config, key),
        quota=GenAIProQuotaProvider(http, config, key),
        http=http,
        traits=_genaipro_traits(context.settings),
        download_auth=auth,
    )


register("offline", _offline, _offline_traits)
register("genaipro", _genaipro, _genaipro_traits)


# -- Tutor -----------------------------------------------------------------------------------------

TutorCapability = Literal["stt", "tts", "chat", "avatar"]


# Stores a clip of speech where a remote renderer can fetch it and returns its public URL.
AudioPublisher = Callable[[SpeechAudio], Awaitable[str]]


@dataclass
class TutorContext:
    """What a Tutor provider factory gets: the settings, a shared HTTP client made on first use, and
    (from the Tutor, which owns the public speech folder) how to publish speech for a remote avatar."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None
    http: httpx.AsyncClient | None = None
    audio_publisher: AudioPublisher | None = None

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


def _offline_stt(context: TutorContext) -> Any:
    from framecast.providers.offline.stt import OfflineSpeechToTextProvider

    tutor = context.settings.tutor
    # Nothing longer than the longest recording the Tutor takes is ever decoded.
    return OfflineSpeechToTextProvider(max_seconds=max(tutor.max_turn_seconds, tutor.max_practice_seconds))


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
    if context.audio_publisher is None:
        raise ConfigurationError(
            "D-ID downloads the speech from a public URL, and nothing publishes it: build the D-ID "
            "avatar with a TutorContext that has an audio_publisher (the Tutor's services do)"
        )
    from framecast.providers.did.talks import DIDAvatarProvider

    return DIDAvatarProvider.from_settings(
        context.client(), settings.did, audio_publisher=context.audio_publisher
    )


register_tutor("stt", "offline", _offline_stt)
register_tutor("stt", "elevenlabs", _elevenlabs_stt)
register_tutor("tts", "offline", _offline_tts)
register_tutor("tts", "elevenlabs", _elevenlabs_tts)
register_tutor("chat", "openrouter", _openrouter_chat)
register_tutor("avatar", "offline", _offline_avatar)
register_tutor("avatar", "did", _did_avatar)
