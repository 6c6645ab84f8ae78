"""The one place providers are built from settings; tests register fakes the same way.

Studio: a *provider set* bundles what one vendor offers (video, image, history, quota), built by name
with :func:`build`; its :class:`ProviderTraits` (label, whether it is paid, pricing, limits, refund
rule, its key) are known without building it, from :func:`traits`. The Tutor's providers, one per
capability and vendor, are registered in ``providers/tutor_registry.py``. Built-in vendors register
themselves from their own packages (``providers/<vendor>/registration.py``, imported at the end of this
module) exactly as a plugin or a test registers its own with :func:`register`.

Settings name providers as plain text; :func:`check_settings` (called when the web application and
every CLI command start) refuses a name nothing registered, naming the variable and the choices.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.providers import setting_paths
from framecast.providers.base import (
    VIDEO_ONLY_OPTIONS,
    GenerationHistory,
    ImageGenerator,
    Mode,
    QuotaReader,
    VideoGenerator,
)
from framecast.providers.sliding_windows import SlidingWindows
from framecast.providers.tutor_registry import check_tutor_settings


@dataclass(frozen=True)
class ProviderTraits:
    """What the engine, the pages and the CLI know of a provider without building it.

    The provider's own rules live here rather than as ``if name == ...`` in generic code.
    """

    label: str = ""  # as users see it: "GenAIPro · Veo"
    # What it is, said plainly wherever it can be chosen ("" for nothing to add).
    note: str = ""
    # Where the platform's key is set, as a settings path ("genaipro.api_key"); None: it takes no
    # key. Users may store their own key for a provider that takes one.
    key_setting: str | None = None
    # Requests may cost money: they go through the write-ahead journal and show their cost.
    paid: bool = False
    # Credits one video / one image costs (0 for a free provider).
    credits_per_video: int = 0
    credits_per_image: int = 0
    # A generation the provider accepted and then failed is refunded, so sending it again is free.
    refunds_failures: bool = False
    # Requests in flight at once and generation requests per minute; None: one per two CPU cores,
    # and no rate limit (local rendering).
    concurrency: int | None = None
    rate_per_minute: float | None = None
    # Ambiguous submissions: how often to look in the history, and for how long before resending.
    reconcile_poll_s: float = 5.0
    reconcile_grace_s: float = 90.0
    # The limits are a remote account's, shared by every worker on every host (False: the host's
    # own, as for local rendering).
    account_limits: bool = False
    # The optional request settings it honours (``GenerationRequest`` field names, see
    # ``providers.base.OPTION_LABELS``); a request setting any other is refused before it is queued
    # or sent. ``image_options``: those it honours for images, when not simply the same less the
    # video-only ones (see :meth:`options_for`).
    options: frozenset[str] = frozenset()
    image_options: frozenset[str] | None = None
    # An ambiguous submission with no provider id that reconcile cannot find may be sent again
    # after the grace period (a provider whose history lists every accepted generation). False for
    # a provider with no history to search: such a job ends failed, never resent on its own, with
    # the provider's reconcile message saying where to look.
    resend_when_absent: bool = True
    # What its cost is counted in: its own credits (read from its quota), or US dollars billed by
    # the vendor, which has no balance to read and gets an estimate from a price table.
    unit: Literal["credits", "USD"] = "credits"
    # Providers that bill money rather than credits: an estimate in US dollars per second of video
    # (at the resolution a request that names none gets; ``dollars_per_video_second_at`` by
    # resolution where the price depends on it) and per image, where the prices come from and the
    # day they were read (shown next to the estimate).
    dollars_per_video_second: float | None = None
    dollars_per_video_second_at: Mapping[str, float] = field(default_factory=dict)
    dollars_per_image: float | None = None
    price_source: str = ""
    price_date: str = ""

    # The length of a video whose request does not say, for the estimate.
    default_video_seconds: float = 8.0

    def dollars_for(
        self, mode: Mode, count: int, seconds: float | None = None, resolution: str | None = None
    ) -> float | None:
        """An estimate in US dollars of ``count`` videos of ``seconds`` each (default
        ``default_video_seconds``) at ``resolution`` (default: the provider's), or images; None for
        a provider priced in credits."""
        if mode is Mode.IMAGE:
            return None if self.dollars_per_image is None else self.dollars_per_image * count
        per_second = self.dollars_per_video_second_at.get(resolution or "", self.dollars_per_video_second)
        if per_second is None:
            return None
        return per_second * (seconds or self.default_video_seconds) * count

    def options_for(self, mode: Mode) -> frozenset[str]:
        """The optional request settings it honours in ``mode``."""
        if not mode.is_video:
            return self.options - VIDEO_ONLY_OPTIONS if self.image_options is None else self.image_options
        return self.options

    def credits_for(self, mode: Mode, count: int) -> int:
        """What ``count`` videos (or images, for ``Mode.IMAGE``) cost, in credits."""
        unit = self.credits_per_image if mode is Mode.IMAGE else self.credits_per_video
        return unit * count


@dataclass(frozen=True)
class DownloadAuth:
    """The ``Authorization`` value a result download may send after a 401/403, and where to.

    The key goes only to ``hosts`` (a name matches itself and its subdomains), never to whatever
    host a result URL happens to name.
    """

    header: str
    hosts: frozenset[str]

    def for_url(self, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not host:
            return None
        for allowed in self.hosts:
            if host == allowed or host.endswith("." + allowed):
                return self.header
        return None


def key_hosts(base_url: str, extra: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """The hosts a provider's key may be sent to: its API host (its parent domain too, when the
    host is a name rather than an address) and the ``extra`` names configured for it."""
    host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    hosts = {name.strip().lower().rstrip(".") for name in extra if name.strip()}
    if host:
        hosts.add(host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            labels = host.split(".")
            if len(labels) > 2:
                hosts.add(".".join(labels[-2:]))
    return frozenset(hosts)


@dataclass
class ProviderBundle:
    name: str
    video: VideoGenerator | None = None
    image: ImageGenerator | None = None
    history: GenerationHistory | None = None
    quota: QuotaReader | None = None
    http: httpx.AsyncClient | None = None
    traits: ProviderTraits = field(default_factory=ProviderTraits)
    # The key of this bundle for result downloads that answer 401/403; None: downloads never send one.
    download_auth: DownloadAuth | None = None

    @property
    def paid(self) -> bool:
        """True when a request may cost money; such requests go through the write-ahead journal."""
        return self.traits.paid

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
    # Where a provider whose account counts requests in a sliding window keeps it: None, this
    # instance's own; the database's (jobs/shared_window.py), every worker's on every host.
    windows: SlidingWindows | None = None


ProviderFactory = Callable[[BuildContext], ProviderBundle]
TraitsFactory = Callable[[Settings], ProviderTraits]

_FACTORIES: dict[str, ProviderFactory] = {}
_TRAITS: dict[str, TraitsFactory] = {}


def register(name: str, factory: ProviderFactory, traits: TraitsFactory | None = None) -> None:
    """Register (or replace) the factory for a provider name, and its traits (by default a free
    provider labelled with its name)."""
    _FACTORIES[name] = factory
    _TRAITS[name] = traits or (lambda _settings: ProviderTraits(label=name))


def unregister(name: str) -> None:
    _FACTORIES.pop(name, None)
    _TRAITS.pop(name, None)


def provider_names() -> list[str]:
    return sorted(_FACTORIES)


def traits(name: str, settings: Settings) -> ProviderTraits:
    """The named provider's traits; raises :class:`ConfigurationError` for an unknown name."""
    try:
        make = _TRAITS[name]
    except KeyError:
        raise _unknown(name) from None
    return make(settings)


def label(name: str, settings: Settings) -> str:
    """The provider's name as users see it ("GenAIPro · Veo"); the bare name for an unknown one."""
    make = _TRAITS.get(name)
    return (make(settings).label if make is not None else "") or name


def may_charge(name: str, settings: Settings) -> bool:
    """Whether requests to ``name`` may cost money; an unknown (uninstalled) provider may."""
    make = _TRAITS.get(name)
    return make is None or make(settings).paid


def paid_provider_names(settings: Settings) -> list[str]:
    """The registered providers whose requests cost money."""
    return [name for name in provider_names() if traits(name, settings).paid]


def key_provider_names(settings: Settings) -> list[str]:
    """The registered providers that take a key (users may store their own for these)."""
    return [name for name in provider_names() if traits(name, settings).key_setting]


def platform_key(name: str, settings: Settings) -> str | None:
    """The key configured in settings for ``name`` (e.g. ``FRAMECAST_GENAIPRO__API_KEY``), if any;
    None also for an unknown provider or one that takes no key."""
    make = _TRAITS.get(name)
    path = make(settings).key_setting if make is not None else None
    return setting_paths.value(settings, path) if path else None


def key_missing(name: str, settings: Settings, *, own_key: str | None = None) -> bool:
    """Whether ``name`` takes a key and has none: neither ``own_key`` (the user's) nor the
    platform's. Raises :class:`ConfigurationError` for an unknown name."""
    if not traits(name, settings).key_setting:
        return False
    return not (own_key or "").strip() and platform_key(name, settings) is None


def key_variable(name: str, settings: Settings) -> str | None:
    """The variable the platform's key for ``name`` is set with, or None when it takes no key."""
    path = traits(name, settings).key_setting
    return setting_paths.variable(path) if path else None


def check_settings(settings: Settings) -> None:
    """Refuse settings that name a provider nothing registered: ``FRAMECAST_DEFAULT_PROVIDER`` and
    the Tutor's ``FRAMECAST_TUTOR__STT`` / ``TTS`` / ``CHAT`` / ``AVATAR``.

    Raises :class:`ConfigurationError` saying, for each such setting, the variable as the user
    writes it, the value, and the names it accepts.
    """
    problems = []
    if settings.default_provider not in _FACTORIES:
        problems.append(
            f"{setting_paths.variable('default_provider')}={settings.default_provider!r} names no "
            f"provider; choose one of: {', '.join(provider_names())}"
        )
    problems += check_tutor_settings(settings)
    if problems:
        raise ConfigurationError("; ".join(problems))


def build(name: str, context: BuildContext) -> ProviderBundle:
    """Build the named provider; raises :class:`ConfigurationError` for an unknown name."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise _unknown(name) from None
    return factory(context)


def _unknown(name: str) -> ConfigurationError:
    known = ", ".join(provider_names())
    return ConfigurationError(f"unknown provider {name!r}; known providers: {known}")


# The built-in vendors register themselves, each in its own package, as a plugin would; imported
# last, when everything above exists.
from framecast.providers.genaipro import registration as _genaipro  # noqa: E402, F401
from framecast.providers.google_veo import registration as _google_veo  # noqa: E402, F401
from framecast.providers.offline import registration as _offline  # noqa: E402, F401
