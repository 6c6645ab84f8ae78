"""Google Veo and Imagen (google-genai) as a Studio provider set."""

from __future__ import annotations

from framecast.core.http import build_http_client
from framecast.core.settings import Settings
from framecast.providers.registry import (
    BuildContext,
    ProviderBundle,
    ProviderTraits,
    register,
)


def _google_veo_traits(settings: Settings) -> ProviderTraits:
    from framecast.providers.google_veo.client import uses_vertex
    from framecast.providers.google_veo.image import image_options
    from framecast.providers.google_veo.pricing import (
        DEFAULT_VIDEO_SECONDS,
        PRICE_DATE,
        PRICE_SOURCE,
        image_price,
        video_price,
        video_prices,
    )
    from framecast.providers.google_veo.video import video_options

    config = settings.google
    vertex = uses_vertex(config)
    return ProviderTraits(
        label="Google Veo (Vertex AI)" if vertex else "Google Veo (Gemini API)",
        note="Google's Veo and Imagen models, billed by Google in dollars to your Google account.",
        # Vertex AI signs in with Application Default Credentials: no key to set.
        key_setting=None if vertex else "google.api_key",
        paid=True,
        # Google bills only generated videos: an operation that ends in an error (or whose every
        # video the safety filters removed) produced nothing and costs nothing, so sending it again
        # is free, as with a provider that refunds failures. (Unsafe content is never resent.)
        refunds_failures=True,
        concurrency=config.concurrency,
        rate_per_minute=config.rate_per_minute,
        # Reconcile polls the stored operation: as often as a running one is polled.
        reconcile_poll_s=config.poll_s,
        reconcile_grace_s=0.0,
        account_limits=True,
        options=video_options(vertex),
        image_options=image_options(vertex),
        # Google lists no history: a submission without a stored operation name cannot be found.
        resend_when_absent=False,
        unit="USD",
        dollars_per_video_second=video_price(config.video_model),
        dollars_per_video_second_at=video_prices(config.video_model),
        dollars_per_image=image_price(config.image_model),
        price_source=PRICE_SOURCE,
        price_date=PRICE_DATE,
        default_video_seconds=DEFAULT_VIDEO_SECONDS,
    )


def _google_veo(context: BuildContext) -> ProviderBundle:
    from framecast.providers.google_veo.client import GoogleClient
    from framecast.providers.google_veo.history import GoogleVeoHistoryProvider
    from framecast.providers.google_veo.image import GoogleVeoImageProvider
    from framecast.providers.google_veo.operations import OperationReader
    from framecast.providers.google_veo.video import GoogleVeoVideoProvider

    config = context.settings.google
    http = build_http_client(
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.read_timeout_s,
        max_connections=(context.concurrency or config.concurrency) + 10,
        transport=context.transport,
    )
    work = context.work_dir / "google_veo"
    work.mkdir(parents=True, exist_ok=True)
    max_bytes = context.settings.max_download_bytes
    client = GoogleClient(config, http, context.api_key)
    reader = OperationReader(client, work, max_bytes=max_bytes)
    return ProviderBundle(
        name="google-veo",
        video=GoogleVeoVideoProvider(client, reader),
        image=GoogleVeoImageProvider(client, work, max_bytes=max_bytes),
        history=GoogleVeoHistoryProvider(reader),
        http=http,
        traits=_google_veo_traits(context.settings),
    )


register("google-veo", _google_veo, _google_veo_traits)
