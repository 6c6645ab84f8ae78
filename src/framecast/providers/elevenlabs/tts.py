"""ElevenLabs text to speech over the streaming endpoint ``POST /v1/text-to-speech/{voice}/stream``.

MP3 is asked for with the configured ``output_format`` (``mp3_44100_128`` by default). The stream
endpoint does not offer WAV, so WAV is built here from ``pcm_<rate>`` output: 16-bit little-endian
mono samples, which is what ElevenLabs sends for PCM.
"""

from __future__ import annotations

import io
import wave

import httpx

from framecast.core.errors import AmbiguousError, ConfigurationError, InvalidInputError
from framecast.core.settings import ElevenLabsSettings
from framecast.providers.base import AudioFormat, SpeechAudio
from framecast.providers.elevenlabs.errors import PROVIDER, status_error, transport_error

# Rate used for WAV requests when ``output_format`` is not a PCM format itself.
_WAV_PCM_FORMAT = "pcm_24000"
# Enough of an error body to find the message in; audio streams are not read this way.
_ERROR_BODY_LIMIT = 64 * 1024


class ElevenLabsTextToSpeechProvider:
    """Speech from ElevenLabs; ``voice`` is a voice id (the configured one when ``None``)."""

    name = PROVIDER

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str = "https://api.elevenlabs.io",
        voice_id: str = "21m00Tcm4TlvDq8ikWAM",
        model_id: str = "eleven_multilingual_v2",
        output_format: str = "mp3_44100_128",
    ) -> None:
        self._http = http
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._voice_id = voice_id
        self._model_id = model_id
        self._output_format = output_format

    @classmethod
    def from_settings(
        cls, http: httpx.AsyncClient, config: ElevenLabsSettings
    ) -> ElevenLabsTextToSpeechProvider:
        """Raises ``ConfigurationError`` when no ElevenLabs key is configured."""
        if config.api_key is None or not config.api_key.get_secret_value():
            raise ConfigurationError("ElevenLabs needs an API key: set FRAMECAST_ELEVENLABS__API_KEY")
        return cls(
            http,
            config.api_key.get_secret_value(),
            base_url=config.base_url,
            voice_id=config.voice_id,
            model_id=config.tts_model_id,
            output_format=config.output_format,
        )

    def output_format_for(self, audio_format: AudioFormat) -> str:
        """The ``output_format`` query value a request for ``audio_format`` uses."""
        if audio_format == "wav":
            return self._output_format if self._output_format.startswith("pcm_") else _WAV_PCM_FORMAT
        return self._output_format if self._output_format.startswith("mp3_") else "mp3_44100_128"

    async def synthesize(
        self, text: str, *, voice: str | None = None, audio_format: AudioFormat = "mp3"
    ) -> SpeechAudio:
        """Speech for ``text``.

        Raises ``InvalidInputError`` for blank text; a ``ProviderError`` subclass for HTTP failures
        (e.g. 401 ``quota_exceeded``, 429 ``too_many_concurrent_requests``); ``AmbiguousError`` when
        the stream breaks off or carries no audio (the characters may have been charged).
        """
        if not text.strip():
            raise InvalidInputError("there is no text to speak")
        output_format = self.output_format_for(audio_format)
        url = f"{self._base_url}/v1/text-to-speech/{voice or self._voice_id}/stream"
        chunks: list[bytes] = []
        try:
            async with self._http.stream(
                "POST",
                url,
                params={"output_format": output_format},
                headers={"xi-api-key": self._api_key, "Accept": "audio/*"},
                json={"text": text, "model_id": self._model_id},
            ) as response:
                if not response.is_success:
                    body = b""
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) >= _ERROR_BODY_LIMIT:
                            break
                    raise status_error(response, body)
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        data = b"".join(chunks)
        if not data:
            raise AmbiguousError("ElevenLabs ended the audio stream without any audio", provider=PROVIDER)
        rate = _sample_rate(output_format)
        if audio_format == "wav":
            return SpeechAudio(data=_wav(data, rate or 24000), mime="audio/wav", sample_rate=rate)
        return SpeechAudio(data=data, mime="audio/mpeg", sample_rate=rate)


def _sample_rate(output_format: str) -> int | None:
    """44100 from ``mp3_44100_128``, 24000 from ``pcm_24000``; None when the name says nothing."""
    parts = output_format.split("_")
    if len(parts) >= 2 and parts[1].isdigit():
        return int(parts[1])
    return None


def _wav(pcm: bytes, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        # A stream cut mid-sample would leave half a frame; the wave module would refuse to count it.
        out.writeframes(pcm[: len(pcm) - len(pcm) % 2])
    return buffer.getvalue()
