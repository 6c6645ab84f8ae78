"""The line a paid run prints before it starts — what it costs and what will be left — and the
refusal when the balance is short (``--force`` starts anyway). Free providers print nothing."""

from __future__ import annotations

from rich.console import Console

from framecast.core.errors import ConfigurationError, InvalidInputError, ProviderError
from framecast.providers.registry import ProviderBundle, ProviderTraits
from framecast.studio.pricing import Quote, make_quote, number


async def quote_for(bundle: ProviderBundle, credits: int) -> Quote:
    """What ``credits`` cost against the balance read now (its error kept when it cannot be read)."""
    if not bundle.paid or bundle.quota is None or credits == 0:
        return make_quote(bundle.name, bundle.traits, credits, None)
    try:
        balance = await bundle.quota.read_quota()
    except (ProviderError, ConfigurationError) as exc:
        return make_quote(bundle.name, bundle.traits, credits, None, error=str(exc))
    return make_quote(bundle.name, bundle.traits, credits, balance)


async def announce_cost(
    console: Console, bundle: ProviderBundle, credits: int, *, what: str, force: bool
) -> Quote:
    """Print "<what> costs 4 credits · 996 left" for a paid provider; raise
    :class:`InvalidInputError` (exit 2) when the balance is short, unless ``force``."""
    quote = await quote_for(bundle, credits)
    if not quote.paid or credits == 0:
        return quote
    console.print(f"{what} on {quote.label}: {quote.sentence()}")
    if quote.enough is False and not force:
        raise InvalidInputError(
            f"{what} needs {number(quote.credits)} credits but {quote.label} has "
            f"{number(quote.available or 0)} available; add credits or pass --force to start anyway"
        )
    return quote


def announce_dollars(console: Console, traits: ProviderTraits, dollars: float | None, *, what: str) -> None:
    """Print "<what> on Google Veo: about $6.40, billed by the provider (source)" for a provider that
    bills money (``dollars`` from ``ProviderTraits.dollars_for``); nothing for one priced in credits."""
    if dollars is None:
        if traits.dollars_per_video_second is not None or traits.dollars_per_image is not None:
            console.print(
                f"{what} on {traits.label}: no price is known for this model; billed by the provider"
            )
        return
    source = f" ({traits.price_source})" if traits.price_source else ""
    console.print(f"{what} on {traits.label}: about ${dollars:,.2f}, billed by the provider{source}")
