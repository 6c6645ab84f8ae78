"""GenAIPro as a Studio provider set: v1 (SSE streams) or v2 (the task API), chosen by
``FRAMECAST_GENAIPRO__API_VERSION``."""

from __future__ import annotations

import hashlib

from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers.registry import (
    BuildContext,
    DownloadAuth,
    ProviderBundle,
    ProviderTraits,
    key_hosts,
    register,
)
from framecast.providers.sliding_windows import LocalWindows


def _genaipro_traits(settings: Settings) -> ProviderTraits:
    config = settings.genaipro
    if config.api_version == 2:
        return _genaipro_v2_traits(settings)
    return ProviderTraits(
        label="GenAIPro · Veo",
        key_setting="genaipro.api_key",
        paid=True,
        credits_per_video=config.credits_per_video,
        credits_per_image=config.credits_per_image,
        refunds_failures=config.refunds_failed_generations,
        concurrency=config.concurrency,
        rate_per_minute=config.rate_per_minute,
        reconcile_poll_s=config.reconcile_poll_s,
        reconcile_grace_s=config.reconcile_grace_s,
        account_limits=True,
    )


def _genaipro(context: BuildContext) -> ProviderBundle:
    from framecast.providers.genaipro.history import GenAIProHistoryProvider
    from framecast.providers.genaipro.image import GenAIProImageProvider
    from framecast.providers.genaipro.quota import GenAIProQuotaProvider
    from framecast.providers.genaipro.video import GenAIProVideoProvider

    config = context.settings.genaipro
    if config.api_version == 2:
        return _genaipro_v2(context)
    http = build_http_client(
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.idle_timeout_s,
        # Streams in flight, plus room for downloads and history look-ups running beside them.
        max_connections=(context.concurrency or config.concurrency) + 20,
        transport=context.transport,
    )
    key = context.api_key
    # Result downloads that answer 401/403 are tried once more with the job's own key: the user's,
    # else the platform's (the same one the generation used).
    download_key = (key or "").strip() or (
        config.api_key.get_secret_value().strip() if config.api_key is not None else ""
    )
    auth = (
        DownloadAuth(f"Bearer {download_key}", key_hosts(config.base_url, config.key_hosts))
        if download_key
        else None
    )
    return ProviderBundle(
        name="genaipro",
        video=GenAIProVideoProvider(http, config, key),
        image=GenAIProImageProvider(http, config, key),
        history=GenAIProHistoryProvider(http, config, key),
        quota=GenAIProQuotaProvider(http, config, key),
        http=http,
        traits=_genaipro_traits(context.settings),
        download_auth=auth,
    )


# -- GenAIPro v2, the task API (FRAMECAST_GENAIPRO__API_VERSION=2) ---------------------------------


def _genaipro_v2_traits(settings: Settings) -> ProviderTraits:
    """v2 refunds failed tasks, and its 30 requests a minute are shared by submissions and polls: the
    provider keeps every request of an account in one sliding window of them
    (``providers/sliding_windows.py``; shared by every worker when built with shared windows), a
    submission leaving a polling round's places free, so the engine's ceiling is the whole 30 (a
    fixed share of 24 left the empty window of a batch's first minute unused: bench (a) on
    genaipro-v2 took 1.38 times the ideal)."""
    config = settings.genaipro
    return ProviderTraits(
        label="GenAIPro · Veo (v2)",
        key_setting="genaipro.api_key",
        paid=True,
        credits_per_video=config.credits_per_video,
        credits_per_image=config.credits_per_image,
        refunds_failures=True,
        concurrency=config.concurrency,
        rate_per_minute=config.v2_rate_per_minute,
        # Each look-up is a request of the same 30 a minute: no more often than the poller's rounds.
        reconcile_poll_s=max(config.reconcile_poll_s, config.v2_poll_s),
        reconcile_grace_s=config.reconcile_grace_s,
        account_limits=True,
    )


def _genaipro_v2(context: BuildContext) -> ProviderBundle:
    from framecast.providers.genaipro.callbacks import callback_url
    from framecast.providers.genaipro.history import GenAIProHistoryProvider
    from framecast.providers.genaipro.quota import GenAIProQuotaProvider
    from framecast.providers.genaipro.tasks import v2_root
    from framecast.providers.genaipro.v2 import GenAIProV2Generator

    config = context.settings.genaipro
    # Short requests only: no stream is held open, so the pool needs no room per task in flight.
    http = build_http_client(
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.idle_timeout_s,
        max_connections=20,
        transport=context.transport,
    )
    key = context.api_key
    v2_config = config.model_copy(update={"base_url": v2_root(config) + "/v2"})
    download_key = (key or "").strip() or (
        config.api_key.get_secret_value().strip() if config.api_key is not None else ""
    )
    # One window per account: every request sent with this key, by any instance built with the same
    # windows (every worker on every host when they are the database's).
    windows = context.windows or LocalWindows()
    window = windows.window(
        _account("genaipro-v2", download_key), config.v2_rate_per_minute, config.v2_window_s
    )
    generator = GenAIProV2Generator(
        http, config, key, callback_url=callback_url(context.settings), window=window
    )
    auth = (
        DownloadAuth(f"Bearer {download_key}", key_hosts(v2_root(config), config.key_hosts))
        if download_key
        else None
    )
    return ProviderBundle(
        name="genaipro",
        video=generator,
        image=generator,
        history=GenAIProHistoryProvider(http, v2_config, key),
        quota=GenAIProQuotaProvider(http, v2_config, key, packages_only=True),
        http=http,
        traits=_genaipro_v2_traits(context.settings),
        download_auth=auth,
    )


def _account(prefix: str, key: str) -> str:
    """The name a key's account goes by in shared tables: a digest, never the key."""
    return f"{prefix}:{hashlib.sha256(key.encode()).hexdigest()[:24]}"


register("genaipro", _genaipro, _genaipro_traits)
