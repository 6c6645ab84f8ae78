"""The one place providers are built from settings; tests register fakes the same way.

A *provider set* bundles what one vendor offers (video, image, history, quota). Built-in vendors are
registered below exactly as a plugin or a test would register its own with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from framecast.core.errors import ConfigurationError
from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers.base import GenerationHistory, ImageGenerator, QuotaReader, VideoGenerator


@dataclass
class ProviderBundle:
    name: str
    video: VideoGenerator | None = None
    image: ImageGenerator | None = None
    history: GenerationHistory | None = None
    quota: QuotaReader | None = None
    http: httpx.AsyncClient | None = None
    # True when a request may cost money; such requests go through the write-ahead journal.
    paid: bool = False

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

_FACTORIES: dict[str, ProviderFactory] = {}


def register(name: str, factory: ProviderFactory) -> None:
    """Register (or replace) the factory for a provider name."""
    _FACTORIES[name] = factory


def unregister(name: str) -> None:
    _FACTORIES.pop(name, None)


def provider_names() -> list[str]:
    return sorted(_FACTORIES)


def build(name: str, context: BuildContext) -> ProviderBundle:
    """Build the named provider; raises :class:`ConfigurationError` for an unknown name."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(provider_names())
        raise ConfigurationError(f"unknown provider {name!r}; known providers: {known}") from None
    return factory(context)


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
    return ProviderBundle(
        name="genaipro",
        video=GenAIProVideoProvider(http, config, key),
        image=GenAIProImageProvider(http, config, key),
        history=GenAIProHistoryProvider(http, config, key),
        quota=GenAIProQuotaProvider(http, config, key),
        http=http,
        paid=True,
    )


register("offline", _offline)
register("genaipro", _genaipro)
