"""The ``google-genai`` client, built from settings on the HTTP client the registry injects.

The SDK accepts a ready ``httpx.AsyncClient`` (``HttpOptions.httpx_async_client``), so every
request it makes goes through our factory's client — its timeouts, its pool and, in tests, its
transport — and the SDK's own retries stay off (its default): the job engine decides retries.

Which SDK versions work is a fact of the SDK, checked against its source: ``generate_videos`` in
Gemini Developer API mode exists up to 2.x and raises ``ValueError`` from 3.0 ("only Gemini
Enterprise Agent Platform supports video generation"); ``generate_images`` in that mode exists up
to 2.19; ``httpx_async_client`` and ``GenerateVideosSource`` need 1.50 or later. Hence
``google-genai>=1.50,<2.20`` in ``pyproject.toml``.
"""

from __future__ import annotations

import httpx
from google import genai
from google.genai import types
from google.genai.client import AsyncClient

from framecast.core.errors import ConfigurationError
from framecast.core.settings import GoogleSettings
from framecast.providers import setting_paths

# The Gemini Developer API's version path; the SDK's default for that API, named here because the
# emulator serves exactly this prefix.
GEMINI_API_VERSION = "v1beta"


class GoogleClient:
    """The SDK client, made on first use so that a missing key is reported when a request would be
    sent (before anything is journalled), not when the provider is built.

    :meth:`aio` raises :class:`ConfigurationError` naming the variable to set when the Gemini API
    has no key.
    """

    def __init__(self, config: GoogleSettings, http: httpx.AsyncClient, api_key: str | None = None) -> None:
        self.config = config
        self.vertex = uses_vertex(config)
        self._http = http
        self._api_key = api_key
        self._sdk: genai.Client | None = None

    def aio(self) -> AsyncClient:
        if self._sdk is None:
            self._sdk = self._build()
        return self._sdk.aio

    def _build(self) -> genai.Client:
        config = self.config
        options = types.HttpOptions(httpx_async_client=self._http)
        if config.base_url.strip():
            options.base_url = config.base_url.strip()
        if self.vertex:
            return genai.Client(
                vertexai=True,
                project=(config.vertex_project or "").strip(),
                location=config.vertex_location,
                http_options=options,
            )
        key = (self._api_key or "").strip() or (
            config.api_key.get_secret_value().strip() if config.api_key is not None else ""
        )
        if not key:
            raise ConfigurationError(
                f"Google Veo needs an API key: set {setting_paths.variable('google.api_key')} (or "
                f"{setting_paths.variable('google.vertex_project')} for Vertex AI), or store your own key"
            )
        options.api_version = GEMINI_API_VERSION
        return genai.Client(api_key=key, http_options=options)


def uses_vertex(config: GoogleSettings) -> bool:
    """Vertex AI when a project is configured, else the Gemini Developer API."""
    return bool((config.vertex_project or "").strip())
