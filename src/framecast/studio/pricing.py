"""What an action costs and what will be left: the one rule behind every figure next to a Generate
or Start button, the header balance and the CLI's line before a paid run.

Costs come from the provider's traits (``ProviderTraits.credits_for``); the balance is what the
provider's quota endpoint said just before. A free provider costs nothing and has no balance. A
provider that bills US dollars (``ProviderTraits.unit``) has no balance either: its cost is an
estimate from its price table (``ProviderTraits.dollars_for``), said with the table's date.
"""

from __future__ import annotations

from dataclasses import dataclass

from framecast.providers.base import Quota
from framecast.providers.registry import ProviderTraits


@dataclass(frozen=True)
class Quote:
    """The cost of one action against the balance read for it."""

    provider: str
    label: str
    paid: bool
    credits: int  # what the action costs
    available: int | None  # credits available now; None when unknown (see ``error``) or unlimited
    error: str | None = None  # why the balance could not be read
    # "USD": billed in dollars by the vendor; ``estimate`` is then the price table's figure (None for
    # a model the table does not list), ``price_source`` and ``price_date`` where it comes from.
    unit: str = "credits"
    estimate: float | None = None
    price_source: str = ""
    price_date: str = ""

    @property
    def left(self) -> int | None:
        """Credits left after the action (never below zero), when the balance is known."""
        return None if self.available is None else max(0, self.available - self.credits)

    @property
    def enough(self) -> bool | None:
        """Whether the balance covers the action; None when it is unknown. Free is always enough."""
        if not self.paid:
            return True
        if self.available is None:
            return None
        return self.available >= self.credits

    def sentence(self) -> str:
        """The figures as one line for people: "4 credits · 996 left" (grouped thousands)."""
        if not self.paid:
            return f"{self.label}: free"
        if self.unit == "USD":
            if self.estimate is None:
                return f"billed by {self.label} in US dollars · no estimate for this model"
            table = f"price table of {self.price_date}" if self.price_date else "price table"
            return f"about {dollars(self.estimate)} (estimate, {table})"
        cost = f"{number(self.credits)} credit{'' if self.credits == 1 else 's'}"
        if self.available is None:
            return f"{cost} · balance unknown ({self.error or 'not read'})"
        if self.enough:
            return f"{cost} · {number(self.left or 0)} left"
        return f"{cost} · only {number(self.available)} available"


def make_quote(
    provider: str, traits: ProviderTraits, credits: int, balance: Quota | None, error: str | None = None
) -> Quote:
    """A :class:`Quote` from a cost and the balance read (None with ``error`` when it could not be)."""
    available = balance.available if balance is not None and traits.paid else None
    return Quote(
        provider=provider,
        label=traits.label or provider,
        paid=traits.paid,
        credits=credits if traits.paid else 0,
        available=available,
        error=error if traits.paid else None,
    )


def dollar_quote(provider: str, traits: ProviderTraits, estimate: float | None) -> Quote:
    """A :class:`Quote` for a provider billed in US dollars: the price table's ``estimate`` and no
    balance (the vendor has none to read)."""
    return Quote(
        provider=provider,
        label=traits.label or provider,
        paid=traits.paid,
        credits=0,
        available=None,
        unit="USD",
        estimate=None if estimate is None else round(estimate, 2),
        price_source=traits.price_source,
        price_date=traits.price_date,
    )


def number(value: int) -> str:
    """``1000000`` -> ``1,000,000``."""
    return f"{value:,}"


def dollars(value: float) -> str:
    """``3.2`` -> ``$3.20``; ``1234.5`` -> ``$1,234.50``."""
    return f"${value:,.2f}"
