"""How the Tutor's providers are chosen from settings (they are built by ``providers/tutor_registry.py``).

Each capability (speech to text, text to speech, the tutor's mind, the talking avatar) is set in
``settings.tutor`` to a registered provider name or ``auto``. ``auto`` takes the remote provider when
its key (and whatever else it needs) is configured and the offline one otherwise, so a fresh install
works with no keys:

============  ==========================  ==============================================
capability    offline (no key)            remote
============  ==========================  ==============================================
stt           pocketsphinx                ElevenLabs Scribe (``elevenlabs.api_key``)
tts           espeak-ng                   ElevenLabs TTS (``elevenlabs.api_key``)
chat          checker + scripted tutor    OpenAI-compatible chat (``openrouter.api_key``;
                                          a keyless local server such as Ollama: set
                                          ``tutor.chat = openrouter`` and its base URL)
avatar        portrait renderer           D-ID (``did.api_key`` and ``tutor.public_base_url``);
                                          ``none``: no video
============  ==========================  ==============================================

Pronunciation is always scored by pocketsphinx, because only it gives per-word confidences.
Tests pass ``transport`` to fake the remote APIs at the HTTP layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from framecast.core.settings import Settings
from framecast.providers.base import AvatarRenderer, SpeechToText, TextToSpeech
from framecast.providers.tutor_registry import (
    CHOSEN_IN_SETTINGS,
    OFFLINE,
    TutorCapability,
    TutorContext,
    build_tutor,
    choose_tutor,
    tutor_traits,
)
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
    # A voice to ask ``tts`` for; None: the provider's configured one.
    voice: str | None = None
    http: httpx.AsyncClient | None = field(default=None, repr=False)
    # Capabilities whose calls cost money (their providers' ``billed`` trait); unknown: all may.
    billed: frozenset[str] = frozenset(CHOSEN_IN_SETTINGS)

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


def choose(settings: Settings) -> dict[TutorCapability, str]:
    """The provider name each capability will use, with ``auto`` resolved."""
    return {
        capability: choose_tutor(capability, getattr(settings.tutor, capability), settings)
        for capability in CHOSEN_IN_SETTINGS
    }


def build_avatar(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> AvatarRenderer | None:
    """Only the configured avatar renderer (None when switched off), for a worker that renders."""
    context = TutorContext(settings, transport=transport, audio_publisher=public_audio.publisher(settings))
    return build_tutor("avatar", choose(settings)["avatar"], context)


def build_services(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> TutorServices:
    """Build the configured providers through the registry; raises ``ConfigurationError`` when a
    chosen remote provider lacks its key or settings."""
    chosen = choose(settings)
    context = TutorContext(settings, transport=transport, audio_publisher=public_audio.publisher(settings))
    # Pronunciation is scored by the offline recogniser whichever one hears the learner.
    scorer: SpeechToText = build_tutor("stt", OFFLINE, context)
    stt: SpeechToText = scorer if chosen["stt"] == OFFLINE else build_tutor("stt", chosen["stt"], context)
    tts: TextToSpeech = build_tutor("tts", chosen["tts"], context)
    model = build_tutor("chat", chosen["chat"], context)
    brain: TutorBrain
    if model is None:  # no chat model: the checker and scripted lessons answer
        from framecast.tutor.scripted import ScriptedTutor

        brain = ScriptedTutor()
    else:
        from framecast.tutor.llm_brain import LLMTutor

        brain = LLMTutor(model)
    avatar: AvatarRenderer | None = build_tutor("avatar", chosen["avatar"], context)
    billed = frozenset(
        capability for capability, name in chosen.items() if tutor_traits(capability, name, settings).billed
    )
    return TutorServices(
        stt=stt, tts=tts, brain=brain, avatar=avatar, scorer=scorer, http=context.http, billed=billed
    )
