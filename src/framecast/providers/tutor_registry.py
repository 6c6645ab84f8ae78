"""The Tutor's half of the provider registry: one provider per capability and vendor, with its traits.

==========  =========================================  ==========================================
capability  a factory returns                          registered here
==========  =========================================  ==========================================
stt         :class:`SpeechToText`                      offline (pocketsphinx), elevenlabs
tts         :class:`TextToSpeech`                      offline (espeak-ng), elevenlabs
chat        :class:`ChatModel`, or None: the Tutor     offline (None), openrouter
            answers with its scripted mind
avatar      :class:`AvatarRenderer`, or None: no       offline (portrait renderer), did, none
            video
realtime    :class:`RealtimeAvatar`                    tavus
==========  =========================================  ==========================================

``settings.tutor`` names one provider for each of the first four, or ``auto``: the first registered
provider (by name) that takes a key, has one configured and lacks no other setting, else
``offline``. The real-time page opens its call on demand. A provider's :class:`TutorTraits` (label,
its key, whether each call is billed, the other settings it needs) are known without building it.
Built-in providers are registered below exactly as a plugin or a test registers its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, overload

import httpx

from framecast.core.errors import ConfigurationError
from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers import setting_paths
from framecast.providers.base import (
    AvatarRenderer,
    ChatModel,
    RealtimeAvatar,
    SpeechAudio,
    SpeechToText,
    TextToSpeech,
)

TutorCapability = Literal["stt", "tts", "chat", "avatar", "realtime"]
# The capabilities ``settings.tutor`` chooses a provider for (FRAMECAST_TUTOR__STT and so on).
CHOSEN_IN_SETTINGS: tuple[TutorCapability, ...] = ("stt", "tts", "chat", "avatar")
AUTO = "auto"
# What ``auto`` falls back to: every chosen capability has an offline provider that needs nothing.
OFFLINE = "offline"


@dataclass(frozen=True)
class TutorTraits:
    """What the Tutor, its pages and the settings check know of a provider without building it."""

    label: str = ""  # as learners see it: "ElevenLabs"
    # Where its key is set, as a settings path ("elevenlabs.api_key"); None: it takes no key.
    key_setting: str | None = None
    # The key may be left unset (an OpenAI-compatible server on this machine takes none); ``auto``
    # still picks such a provider only when a key is set.
    key_optional: bool = False
    # Each call costs money (a remote voice): the Tutor makes no call it can do without.
    billed: bool = False
    # Other settings it cannot work without, as settings paths ("tutor.public_base_url").
    requires: tuple[str, ...] = ()


# Stores a clip of speech where a remote renderer can fetch it and returns its public URL.
AudioPublisher = Callable[[SpeechAudio], Awaitable[str]]


@dataclass
class TutorContext:
    """What a Tutor provider factory gets: the settings, a shared HTTP client made on first use (or
    the caller's ``http``), and (from the Tutor, which owns the public speech folder) how to publish
    speech for a remote avatar."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None
    http: httpx.AsyncClient | None = None
    audio_publisher: AudioPublisher | None = None

    def client(self) -> httpx.AsyncClient:
        if self.http is None:
            self.http = build_http_client(read_timeout_s=120.0, transport=self.transport)
        return self.http


TutorTraitsFactory = Callable[[Settings], TutorTraits]
_FACTORIES: dict[tuple[str, str], Callable[[TutorContext], Any]] = {}
_TRAITS: dict[tuple[str, str], TutorTraitsFactory] = {}


@overload
def register_tutor(
    capability: Literal["stt"],
    name: str,
    factory: Callable[[TutorContext], SpeechToText],
    traits: TutorTraitsFactory | None = None,
) -> None: ...
@overload
def register_tutor(
    capability: Literal["tts"],
    name: str,
    factory: Callable[[TutorContext], TextToSpeech],
    traits: TutorTraitsFactory | None = None,
) -> None: ...
@overload
def register_tutor(
    capability: Literal["chat"],
    name: str,
    factory: Callable[[TutorContext], ChatModel | None],
    traits: TutorTraitsFactory | None = None,
) -> None: ...
@overload
def register_tutor(
    capability: Literal["avatar"],
    name: str,
    factory: Callable[[TutorContext], AvatarRenderer | None],
    traits: TutorTraitsFactory | None = None,
) -> None: ...
@overload
def register_tutor(
    capability: Literal["realtime"],
    name: str,
    factory: Callable[[TutorContext], RealtimeAvatar],
    traits: TutorTraitsFactory | None = None,
) -> None: ...
def register_tutor(
    capability: TutorCapability,
    name: str,
    factory: Callable[[TutorContext], Any],
    traits: TutorTraitsFactory | None = None,
) -> None:
    """Register (or replace) one capability's provider, and its traits (by default: labelled with
    its name, no key, not billed)."""
    if name == AUTO:
        raise ConfigurationError(f"{AUTO!r} is not a provider name: it means 'choose one for me'")
    _FACTORIES[(capability, name)] = factory
    _TRAITS[(capability, name)] = traits or (lambda _settings: TutorTraits(label=name))


def unregister_tutor(capability: TutorCapability, name: str) -> None:
    _FACTORIES.pop((capability, name), None)
    _TRAITS.pop((capability, name), None)


def tutor_provider_names(capability: TutorCapability) -> list[str]:
    return sorted(name for cap, name in _FACTORIES if cap == capability)


def tutor_traits(capability: TutorCapability, name: str, settings: Settings) -> TutorTraits:
    """The provider's traits; raises :class:`ConfigurationError` for an unknown name."""
    try:
        make = _TRAITS[(capability, name)]
    except KeyError:
        raise _unknown(capability, name) from None
    return make(settings)


def tutor_label(capability: TutorCapability, name: str, settings: Settings) -> str:
    """The provider's name as learners see it; the bare name for an unknown one."""
    make = _TRAITS.get((capability, name))
    return (make(settings).label if make is not None else "") or name


def tutor_missing(capability: TutorCapability, name: str, settings: Settings) -> list[str]:
    """The variables still to set before the provider can be used: its key (unless optional), then
    the other settings it requires. Raises :class:`ConfigurationError` for an unknown name."""
    found = tutor_traits(capability, name, settings)
    paths = [found.key_setting] if found.key_setting and not found.key_optional else []
    return setting_paths.missing(settings, [*paths, *found.requires])


def choose_tutor(capability: TutorCapability, setting: str, settings: Settings) -> str:
    """The provider ``setting`` (a name or ``auto``) stands for: ``auto`` is the first registered
    provider with a key configured and nothing else missing, else ``offline``."""
    if setting != AUTO:
        return setting
    for name in tutor_provider_names(capability):
        found = tutor_traits(capability, name, settings)
        if (
            found.key_setting
            and setting_paths.value(settings, found.key_setting)
            and not tutor_missing(capability, name, settings)
        ):
            return name
    return OFFLINE


@overload
def build_tutor(capability: Literal["stt"], name: str, context: TutorContext) -> SpeechToText: ...
@overload
def build_tutor(capability: Literal["tts"], name: str, context: TutorContext) -> TextToSpeech: ...
@overload
def build_tutor(capability: Literal["chat"], name: str, context: TutorContext) -> ChatModel | None: ...
@overload
def build_tutor(capability: Literal["avatar"], name: str, context: TutorContext) -> AvatarRenderer | None: ...
@overload
def build_tutor(capability: Literal["realtime"], name: str, context: TutorContext) -> RealtimeAvatar: ...
def build_tutor(capability: TutorCapability, name: str, context: TutorContext) -> Any:
    """Build a Tutor provider; raises :class:`ConfigurationError` for an unknown name, and whatever
    the factory raises (``ConfigurationError`` for a missing key)."""
    try:
        factory = _FACTORIES[(capability, name)]
    except KeyError:
        raise _unknown(capability, name) from None
    return factory(context)


def check_tutor_settings(settings: Settings) -> list[str]:
    """What is wrong with ``settings.tutor``'s choices: one sentence per setting that names no
    registered provider, with the variable as the user writes it and the names it accepts."""
    problems = []
    for capability in CHOSEN_IN_SETTINGS:
        chosen = getattr(settings.tutor, capability)
        known = [AUTO, *tutor_provider_names(capability)]
        if chosen not in known:
            problems.append(
                f"{setting_paths.variable('tutor.' + capability)}={chosen!r} names no {capability} "
                f"provider; choose one of: {', '.join(known)}"
            )
    return problems


def _unknown(capability: TutorCapability, name: str) -> ConfigurationError:
    known = ", ".join(tutor_provider_names(capability))
    return ConfigurationError(f"unknown {capability} provider {name!r}; known: {known}")


# -- built-in providers -----------------------------------------------------------------------------


def _offline_stt(context: TutorContext) -> SpeechToText:
    from framecast.providers.offline.stt import OfflineSpeechToTextProvider

    tutor = context.settings.tutor
    # Nothing longer than the longest recording the Tutor takes is ever decoded.
    return OfflineSpeechToTextProvider(max_seconds=max(tutor.max_turn_seconds, tutor.max_practice_seconds))


def _elevenlabs_stt(context: TutorContext) -> SpeechToText:
    from framecast.providers.elevenlabs.stt import ElevenLabsSpeechToTextProvider

    return ElevenLabsSpeechToTextProvider.from_settings(context.client(), context.settings.elevenlabs)


def _offline_tts(context: TutorContext) -> TextToSpeech:
    from framecast.providers.offline.tts import OfflineTextToSpeechProvider

    return OfflineTextToSpeechProvider(default_voice=context.settings.tutor.offline_voice)


def _elevenlabs_tts(context: TutorContext) -> TextToSpeech:
    from framecast.providers.elevenlabs.tts import ElevenLabsTextToSpeechProvider

    return ElevenLabsTextToSpeechProvider.from_settings(context.client(), context.settings.elevenlabs)


def _offline_chat(_: TutorContext) -> ChatModel | None:
    # No model at all: the Tutor's rule-based checker and scripted lessons answer (tutor/scripted.py).
    return None


def _openrouter_chat(context: TutorContext) -> ChatModel:
    from framecast.providers.openrouter.chat import OpenRouterChatProvider

    return OpenRouterChatProvider.from_settings(context.client(), context.settings.openrouter)


def _offline_avatar(_: TutorContext) -> AvatarRenderer:
    from framecast.providers.offline.avatar import OfflineAvatarRenderer

    return OfflineAvatarRenderer()


def _no_avatar(_: TutorContext) -> AvatarRenderer | None:
    return None


def _did_avatar(context: TutorContext) -> AvatarRenderer:
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


def _tavus_realtime(context: TutorContext) -> RealtimeAvatar:
    from framecast.providers.tavus.conversations import TavusConversations

    return TavusConversations.from_settings(context.client(), context.settings.tavus)


def _traits(**values: Any) -> TutorTraitsFactory:
    made = TutorTraits(**values)
    return lambda _settings: made


def _tavus_traits(settings: Settings) -> TutorTraits:
    # A call needs someone to talk to: a persona (which names its replica) or a replica of its own.
    requires = () if settings.tavus.replica_id else ("tavus.persona_id",)
    return TutorTraits(label="Tavus", key_setting="tavus.api_key", billed=True, requires=requires)


_ELEVENLABS = _traits(label="ElevenLabs", key_setting="elevenlabs.api_key", billed=True)
register_tutor("stt", "offline", _offline_stt, _traits(label="offline (pocketsphinx)"))
register_tutor("stt", "elevenlabs", _elevenlabs_stt, _ELEVENLABS)
register_tutor("tts", "offline", _offline_tts, _traits(label="offline (espeak-ng)"))
register_tutor("tts", "elevenlabs", _elevenlabs_tts, _ELEVENLABS)
register_tutor("chat", "offline", _offline_chat, _traits(label="offline"))
register_tutor(
    "chat",
    "openrouter",
    _openrouter_chat,
    _traits(label="chat model", key_setting="openrouter.api_key", key_optional=True, billed=True),
)
register_tutor("avatar", "offline", _offline_avatar, _traits(label="offline"))
register_tutor("avatar", "none", _no_avatar, _traits(label="off"))
register_tutor(
    "avatar",
    "did",
    _did_avatar,
    _traits(label="D-ID", key_setting="did.api_key", billed=True, requires=("tutor.public_base_url",)),
)
register_tutor("realtime", "tavus", _tavus_realtime, _tavus_traits)
