"""ElevenLabs: Scribe speech to text and streaming text to speech."""

from __future__ import annotations

from framecast.providers.elevenlabs.stt import ElevenLabsSpeechToTextProvider
from framecast.providers.elevenlabs.tts import ElevenLabsTextToSpeechProvider

__all__ = ["ElevenLabsSpeechToTextProvider", "ElevenLabsTextToSpeechProvider"]
