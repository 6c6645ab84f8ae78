"""How the Tutor's providers are chosen from settings (they are built by ``providers/registry.py``).

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

from framecast.core.settings import Settings
from framecast.providers.base import AvatarRenderer, SpeechToText, TextToSpeech
from framecast.providers.registry import TutorContext, build_tutor
from framecast.tutor import public_audio
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


def build_avatar(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> AvatarRenderer | None:
    """Only the configured avatar renderer (None when switched off), for a worker that renders."""
    name = choose(settings)["avatar"]
    if name == "none":
        return None
    context = TutorContext(settings, transport=transport, audio_publisher=public_audio.publisher(settings))
    renderer: AvatarRenderer = build_tutor("avatar", name, context)
    return renderer


def build_services(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> TutorServices:
    """Build the configured providers through the registry; raises ``ConfigurationError`` when a
    chosen remote provider lacks its key or settings."""
    chosen = choose(settings)
    context = TutorContext(settings, transport=transport, audio_publisher=public_audio.publisher(settings))
    scorer: SpeechToText = build_tutor("stt", "offline", context)
    stt: SpeechToText = scorer if chosen["stt"] == "offline" else build_tutor("stt", chosen["stt"], context)
    tts: TextToSpeech = build_tutor("tts", chosen["tts"], context)
    brain: TutorBrain
    if chosen["chat"] == "offline":
        from framecast.tutor.scripted import ScriptedTutor

        brain = ScriptedTutor()
    else:
        from framecast.tutor.llm_brain import LLMTutor

        brain = LLMTutor(build_tutor("chat", chosen["chat"], context))
    avatar: AvatarRenderer | None = None
    if chosen["avatar"] != "none":
        avatar = build_tutor("avatar", chosen["avatar"], context)
    voice = settings.tutor.offline_voice if chosen["tts"] == "offline" else None
    return TutorServices(
        stt=stt, tts=tts, brain=brain, avatar=avatar, scorer=scorer, voice=voice, http=context.http
    )
