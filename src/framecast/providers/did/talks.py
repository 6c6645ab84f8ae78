"""D-ID talks: ``POST /talks`` creates a talking-head video, ``GET /talks/{id}`` is polled until done.

Authentication is ``Authorization: Basic <key>`` with the key exactly as D-ID Studio shows it
(``username:password``), not re-encoded: that is what D-ID's own reference page says. Talks are
asynchronous: status goes ``created`` → ``started`` → ``done`` (with ``result_url``), or ends in
``error`` or ``rejected`` (moderation).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    InvalidInputError,
    NotSentError,
    PermanentError,
    RefusedError,
)
from framecast.core.settings import DIDSettings
from framecast.providers.base import MediaItem, SpeechAudio
from framecast.providers.did.errors import PROVIDER, describe, status_error, transport_error

# The presenter the original tutor used (from its code; D-ID's docs do not list presenter URLs).
DEFAULT_SOURCE_URL = "https://create-images-results.d-id.com/DefaultPresenters/amy-jcwCkr1grs/image.jpeg"

Publisher = Callable[[SpeechAudio], Awaitable[str]]
Sleep = Callable[[float], Awaitable[None]]


class DIDAvatarProvider:
    """Talking-head videos from D-ID; the result is a ``MediaItem`` whose ``url`` is D-ID's S3 link.

    D-ID fetches the speech itself, so :meth:`render` needs ``audio_publisher``: a coroutine that
    stores the audio where D-ID can download it and returns that ``https://`` URL.
    """

    name = PROVIDER

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str = "https://api.d-id.com",
        source_url: str = DEFAULT_SOURCE_URL,
        audio_publisher: Publisher | None = None,
        webhook: str | None = None,
        poll_initial_s: float = 1.0,
        poll_max_s: float = 8.0,
        timeout_s: float = 300.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Basic {api_key}"}
        self._source_url = source_url
        self._audio_publisher = audio_publisher
        self._webhook = webhook
        self._poll_initial_s = poll_initial_s
        self._poll_max_s = poll_max_s
        self._timeout_s = timeout_s
        self._sleep = sleep

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, config: DIDSettings, **options: Any) -> DIDAvatarProvider:
        """Raises ``ConfigurationError`` when no D-ID key is configured."""
        if config.api_key is None or not config.api_key.get_secret_value():
            raise ConfigurationError("D-ID needs an API key: set FRAMECAST_DID__API_KEY")
        return cls(http, config.api_key.get_secret_value(), base_url=config.base_url, **options)

    async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
        """A video of the configured presenter speaking ``audio`` (D-ID needs a public portrait URL,
        so a local ``portrait`` is not uploaded; ``dest_dir`` is unused: the result stays remote).

        Raises ``ConfigurationError`` without an ``audio_publisher``, and what :meth:`wait` raises.
        """
        return await self.wait(await self.start_render(audio))

    async def start_render(self, audio: SpeechAudio) -> str:
        """Publish ``audio`` and create the talk; the talk's id, to store before :meth:`wait`ing,
        so that a restart polls the talk already paid for instead of creating another.

        Raises ``ConfigurationError`` without an ``audio_publisher``, and what :meth:`create_talk`
        raises (``AmbiguousError`` when the create may have been accepted).
        """
        if self._audio_publisher is None:
            raise ConfigurationError(
                "D-ID downloads the speech from a URL: give DIDAvatarProvider an audio_publisher"
            )
        audio_url = await self._audio_publisher(audio)
        return await self.create_talk({"type": "audio", "audio_url": audio_url})

    async def speak_text(
        self,
        text: str,
        *,
        voice_id: str = "21m00Tcm4TlvDq8ikWAM",
        model_id: str = "eleven_multilingual_v2",
        elevenlabs_key: str | None = None,
    ) -> MediaItem:
        """A video of the presenter saying ``text`` with an ElevenLabs voice, D-ID doing the speech.

        With ``elevenlabs_key`` D-ID uses that account's quota (``x-api-key-external``).
        """
        if not text.strip():
            raise InvalidInputError("there is no text for the avatar to say")
        script = {
            "type": "text",
            "input": text,
            # D-ID 4.2.1 puts model_id on the provider and forbids extra keys in voice_config.
            "provider": {"type": "elevenlabs", "voice_id": voice_id, "model_id": model_id},
        }
        external = {"elevenlabs": elevenlabs_key} if elevenlabs_key else None
        return await self.wait(await self.create_talk(script, external_keys=external))

    async def create_talk(
        self,
        script: dict[str, Any],
        *,
        source_url: str | None = None,
        external_keys: dict[str, str] | None = None,
    ) -> str:
        """Starts a talk and returns its id (``tlk_...``).

        Raises a ``ProviderError`` subclass: 400 bad script, 401 ``AuthorizationError``, 402
        ``InsufficientCreditsError``, 403, 451 moderation (unsafe content); ``AmbiguousError`` when
        the answer has no id (a talk may exist and be charged).
        """
        body: dict[str, Any] = {
            "source_url": source_url or self._source_url,
            "script": script,
            "config": {"fluent": False, "pad_audio": 0.0},
        }
        if self._webhook:
            body["webhook"] = self._webhook
        headers = dict(self._headers)
        if external_keys:
            headers["x-api-key-external"] = json.dumps(external_keys)
        try:
            response = await self._http.post(f"{self._base_url}/talks", headers=headers, json=body)
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        if not response.is_success:
            raise status_error(response)
        try:
            talk_id = response.json().get("id")
        except (ValueError, AttributeError):
            talk_id = None
        if not isinstance(talk_id, str) or not talk_id:
            raise AmbiguousError(
                f"D-ID answered HTTP {response.status_code} without a talk id", provider=PROVIDER
            )
        return talk_id

    async def get_talk(self, talk_id: str) -> dict[str, Any]:
        """The talk's JSON. Raises 401 ``AuthorizationError``, 404 ``NotFoundError`` as ``PermanentError``."""
        try:
            response = await self._http.get(f"{self._base_url}/talks/{talk_id}", headers=self._headers)
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        if not response.is_success:
            raise status_error(response)
        try:
            payload = response.json()
        except ValueError as exc:
            raise RefusedError(
                "D-ID answered a talk query with something that is not JSON", provider=PROVIDER
            ) from exc
        if not isinstance(payload, dict):
            raise RefusedError(
                "D-ID answered a talk query with something that is not a talk", provider=PROVIDER
            )
        return payload

    async def wait(self, talk_id: str) -> MediaItem:
        """Polls ``talk_id`` with growing pauses until it is ``done``.

        Raises ``PermanentError`` for ``error`` (category server) and ``rejected`` (unsafe content),
        ``AmbiguousError`` when ``timeout_s`` of waiting passes or ``done`` comes without a URL.
        Refused or unsent queries are retried: a GET cannot charge anything.
        """
        delay = self._poll_initial_s
        waited = 0.0
        while True:
            try:
                talk = await self.get_talk(talk_id)
            except (RefusedError, NotSentError):
                talk = {}
            status = talk.get("status")
            if status == "done":
                url = talk.get("result_url")
                if not isinstance(url, str) or not url:
                    raise AmbiguousError(
                        f"D-ID talk {talk_id} is done but has no result_url", provider=PROVIDER
                    )
                return MediaItem(provider_id=talk_id, url=url)
            if status == "error":
                raise PermanentError(
                    f"D-ID could not make talk {talk_id}: {describe(talk.get('error'))}",
                    provider=PROVIDER,
                    category=ErrorCategory.SERVER,
                )
            if status == "rejected":
                raise PermanentError(
                    f"D-ID rejected talk {talk_id}: {describe(talk.get('error'))}",
                    provider=PROVIDER,
                    category=ErrorCategory.UNSAFE_CONTENT,
                )
            if waited >= self._timeout_s:
                raise AmbiguousError(
                    f"D-ID talk {talk_id} was not done after {waited:.0f} s (last status {status!r})",
                    provider=PROVIDER,
                )
            await self._sleep(delay)
            waited += delay
            delay = min(self._poll_max_s, delay * 2)
