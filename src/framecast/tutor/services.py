"""The one place the Tutor's providers are chosen and built from settings.

Each capability (speech to text, text to speech, the tutor's mind, the talking avatar) is set in
``settings.tutor`` to a provider name or ``auto``. ``auto`` takes the remote provider when its key
is configured and the offline one otherwise, so a fresh install works with no keys:

============  ==========================  ==============================================
capability    offline (no key)            remote
============  ==========================  ==============================================
stt           pocketsphinx                ElevenLabs Scribe (``elevenlabs.api_key``)
tts           espeak-ng                   ElevenLabs TTS (``elevenlabs.api_key``)
chat          checker + scripted tutor    OpenAI-compatible chat (``openrouter.api_key``;
                                          a keyless local server such as Ollama: set
                                          ``tutor.chat = openrouter`` and its base URL)
avatar        portrait renderer           D-ID (``did.api_key`` and ``tutor.public_base_url``)
============  ==========================  ==============================================

Pronunciation is always scored by pocketsphinx, because only it gives per-word confidences.
Tests pass ``transport`` to fake the remote APIs at the HTTP layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from framecast.core.errors import ConfigurationError
from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers.base import AvatarRenderer, SpeechToText, TextToSpeech
from framecast.tutor.brain import TutorBrain


@dataclass
class TutorServices:
    stt: SpeechToText
    tts: TextToSpeech
    brain: TutorBrain
    # None: no avatar video (``tutor.avatar = none``).
    avatar: AvatarRenderer | None
    # pocketsphinx, for per-word pronunciation scores (the same object as ``stt`` when offline).
    scorer: SpeechToText
    # The offline TTS voice, or None to use the remote provider's configured voice.
    voice: str | None = None
    http: httpx.AsyncClient | None = field(default=None, repr=False)

    @property
    def names(self) -> dict[str, str]:
        return {
            "stt": self.stt.name,
            "tts": self.tts.name,
            "chat": self.brain.name,
            "avatar": self.avatar.name if self.avatar is not None else "none",
        }

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.aclose()


def _has(secret: object) -> bool:
    value = getattr(secret, "get_secret_value", None)
    return bool(value and value())


def choose(settings: Settings) -> dict[str, str]:
    """The provider name each capability will use, with ``auto`` resolved."""
    tutor = settings.tutor
    eleven = _has(settings.elevenlabs.api_key)
    chat_remote = _has(settings.openrouter.api_key)
    did = _has(settings.did.api_key) and bool(tutor.public_base_url)
    return {
        "stt": ("elevenlabs" if eleven else "offline") if tutor.stt == "auto" else tutor.stt,
        "tts": ("elevenlabs" if eleven else "offline") if tutor.tts == "auto" else tutor.tts,
        "chat": ("openrouter" if chat_remote else "offline") if tutor.chat == "auto" else tutor.chat,
        "avatar": ("did" if did else "offline") if tutor.avatar == "auto" else tutor.avatar,
    }


def build_services(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> TutorServices:
    """Build the configured providers; raises ``ConfigurationError`` when a chosen remote provider
    lacks its key or settings."""
    from framecast.providers.offline.stt import OfflineSpeechToTextProvider

    chosen = choose(settings)
    offline_stt = OfflineSpeechToTextProvider()
    http: httpx.AsyncClient | None = None

    def client() -> httpx.AsyncClient:
        nonlocal http
        if http is None:
            http = build_http_client(read_timeout_s=120.0, transport=transport)
        return http

    stt: SpeechToText
    if chosen["stt"] == "elevenlabs":
        from framecast.providers.elevenlabs.stt import ElevenLabsSpeechToTextProvider

        stt = ElevenLabsSpeechToTextProvider.from_settings(client(), settings.elevenlabs)
    else:
        stt = offline_stt

    tts: TextToSpeech
    voice: str | None = None
    if chosen["tts"] == "elevenlabs":
        from framecast.providers.elevenlabs.tts import ElevenLabsTextToSpeechProvider

        tts = ElevenLabsTextToSpeechProvider.from_settings(client(), settings.elevenlabs)
    else:
        from framecast.providers.offline.tts import OfflineTextToSpeechProvider

        tts = OfflineTextToSpeechProvider(default_voice=settings.tutor.offline_voice)
        voice = settings.tutor.offline_voice

    brain: TutorBrain
    if chosen["chat"] == "openrouter":
        from framecast.providers.openrouter.chat import OpenRouterChatProvider
        from framecast.tutor.llm_brain import LLMTutor

        brain = LLMTutor(OpenRouterChatProvider.from_settings(client(), settings.openrouter))
    else:
        from framecast.tutor.scripted import ScriptedTutor

        brain = ScriptedTutor()

    avatar: AvatarRenderer | None
    if chosen["avatar"] == "none":
        avatar = None
    elif chosen["avatar"] == "did":
        avatar = _did(settings, client())
    else:
        from framecast.providers.offline.avatar import OfflineAvatarRenderer

        avatar = OfflineAvatarRenderer()

    return TutorServices(
        stt=stt, tts=tts, brain=brain, avatar=avatar, scorer=offline_stt, voice=voice, http=http
    )


def _did(settings: Settings, http: httpx.AsyncClient) -> AvatarRenderer:
    if not settings.tutor.public_base_url:
        raise ConfigurationError(
            "D-ID downloads the speech from a public URL: set FRAMECAST_TUTOR__PUBLIC_BASE_URL to the "
            "address where this server is reachable from the internet"
        )
    from framecast.providers.did.talks import DIDAvatarProvider
    from framecast.tutor.public_audio import publisher

    return DIDAvatarProvider.from_settings(http, settings.did, audio_publisher=publisher(settings))
