"""The offline renderer as a Studio provider set: free, keyless, local."""

from __future__ import annotations

from framecast.core.settings import Settings
from framecast.providers.registry import (
    BuildContext,
    ProviderBundle,
    ProviderTraits,
    register,
)

# What the offline provider is, said plainly wherever it can be chosen.
OFFLINE_NOTE = (
    "Offline is Framecast's built-in local renderer, not an AI model: it draws a storyboard card of "
    "your prompt with camera motion (or blends your frames and references) right on this server. "
    "It is free and needs no key, which makes it a dry run before paying for a real generation."
)


def _offline_traits(settings: Settings) -> ProviderTraits:
    return ProviderTraits(label="Offline renderer (local, free)", note=OFFLINE_NOTE, rate_per_minute=None)


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
        traits=_offline_traits(context.settings),
    )


register("offline", _offline, _offline_traits)
