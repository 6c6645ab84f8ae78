"""ElevenLabs Scribe speech to text: ``POST /v1/speech-to-text`` (multipart ``file`` + ``model_id``)."""

from __future__ import annotations

import math
from typing import Any

import httpx

from framecast.core.errors import AmbiguousError, ConfigurationError, InvalidInputError
from framecast.core.settings import ElevenLabsSettings
from framecast.providers.base import Transcript, WordTiming
from framecast.providers.elevenlabs.errors import PROVIDER, status_error, transport_error

# File names by MIME type: Scribe sniffs the content, but a plausible name keeps its logs readable.
_EXTENSIONS = {
    "audio/webm": "webm",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/mpeg": "mp3",
}


class ElevenLabsSpeechToTextProvider:
    """Scribe transcription with word timings; ``confidence`` is ``exp(logprob)`` of each word."""

    name = PROVIDER

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str = "https://api.elevenlabs.io",
        model_id: str = "scribe_v1",
    ) -> None:
        self._http = http
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._model_id = model_id

    @classmethod
    def from_settings(
        cls, http: httpx.AsyncClient, config: ElevenLabsSettings
    ) -> ElevenLabsSpeechToTextProvider:
        """Raises ``ConfigurationError`` when no ElevenLabs key is configured."""
        if config.api_key is None or not config.api_key.get_secret_value():
            raise ConfigurationError("ElevenLabs needs an API key: set FRAMECAST_ELEVENLABS__API_KEY")
        return cls(
            http, config.api_key.get_secret_value(), base_url=config.base_url, model_id=config.stt_model_id
        )

    async def transcribe(self, audio: bytes, *, mime: str | None = None, language: str = "en") -> Transcript:
        """Text and word timings of ``audio``; an empty ``language`` lets Scribe detect it.

        Raises ``InvalidInputError`` for empty audio, and a ``ProviderError`` subclass for HTTP
        failures (400/422 when Scribe cannot use the file, 401 for a bad key or exhausted quota,
        429 over the plan's concurrency) and for answers without a transcript.
        """
        if not audio:
            raise InvalidInputError("the recording is empty")
        content_type = (mime or "application/octet-stream").split(";")[0].strip().lower()
        filename = f"audio.{_EXTENSIONS.get(content_type, 'bin')}"
        data = {"model_id": self._model_id}
        if language:
            data["language_code"] = language
        try:
            response = await self._http.post(
                f"{self._base_url}/v1/speech-to-text",
                headers={"xi-api-key": self._api_key},
                data=data,
                files={"file": (filename, audio, content_type)},
            )
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        if response.status_code == 202:
            # Only webhook requests are answered with 202, and we never ask for one.
            raise AmbiguousError(
                "Scribe accepted the audio for a webhook instead of answering", provider=PROVIDER
            )
        if not response.is_success:
            raise status_error(response, response.content)
        try:
            payload = response.json()
        except ValueError as exc:
            raise AmbiguousError(
                "Scribe answered with something that is not JSON", provider=PROVIDER
            ) from exc
        return parse_transcript(payload)


def parse_transcript(payload: Any) -> Transcript:
    """A :class:`Transcript` from a Scribe 200 body (single or multi-channel).

    Raises ``AmbiguousError`` when the body holds no text.
    """
    if isinstance(payload, dict) and isinstance(payload.get("transcripts"), list):
        parts = [parse_transcript(chunk) for chunk in payload["transcripts"]]
        return Transcript(
            text=" ".join(p.text for p in parts if p.text),
            words=tuple(sorted((w for p in parts for w in p.words), key=lambda w: w.start)),
            language=next((p.language for p in parts if p.language), None),
        )
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        raise AmbiguousError("Scribe's answer holds no transcript text", provider=PROVIDER)
    words: list[WordTiming] = []
    for item in payload.get("words") or []:
        # "spacing" and "audio_event" entries are not words the learner said.
        if not isinstance(item, dict) or item.get("type", "word") != "word":
            continue
        logprob = item.get("logprob")
        words.append(
            WordTiming(
                word=str(item.get("text", "")),
                start=float(item.get("start") or 0.0),
                end=float(item.get("end") or 0.0),
                confidence=math.exp(min(0.0, float(logprob))) if logprob is not None else None,
            )
        )
    language = payload.get("language_code")
    return Transcript(
        text=payload["text"].strip(),
        words=tuple(words),
        language=str(language) if language else None,
    )
