"""What an action costs and what is left, in the words and numbers the pages and the CLI show."""

from __future__ import annotations

import pytest

from framecast.providers.base import Mode, Quota
from framecast.providers.registry import ProviderTraits
from framecast.studio.pricing import dollar_quote, dollars, make_quote, number

PAID = ProviderTraits(label="GenAIPro · Veo", paid=True, credits_per_video=1, credits_per_image=1)
FREE = ProviderTraits(label="Offline renderer (local, free)")
DOLLARS = ProviderTraits(
    label="Google Veo (Gemini API)",
    paid=True,
    unit="USD",
    dollars_per_video_second=0.4,
    dollars_per_video_second_at={"720p": 0.4, "4k": 0.6},
    price_source="a price page, read 2026-12-03",
    price_date="2026-12-03",
)


def test_a_paid_action_shows_its_cost_and_what_will_be_left() -> None:
    quote = make_quote("genaipro", PAID, 4, Quota(total=1000, used=0, available=1000))

    assert (quote.credits, quote.left, quote.enough) == (4, 996, True)
    assert quote.sentence() == "4 credits · 996 left"


def test_a_short_balance_is_said_plainly_and_nothing_is_left() -> None:
    quote = make_quote("genaipro", PAID, 4, Quota(total=2, used=0, available=2))

    assert (quote.left, quote.enough) == (0, False)
    assert quote.sentence() == "4 credits · only 2 available"


def test_a_balance_that_could_not_be_read_is_unknown_not_zero() -> None:
    quote = make_quote("genaipro", PAID, 1, None, error="HTTP 503")

    assert (quote.available, quote.left, quote.enough) == (None, None, None)
    assert quote.sentence() == "1 credit · balance unknown (HTTP 503)"


def test_a_free_provider_costs_nothing_whatever_is_asked() -> None:
    quote = make_quote("offline", FREE, 4, Quota(total=None, used=None, available=None))

    assert (quote.paid, quote.credits, quote.enough) == (False, 0, True)
    assert quote.sentence() == "Offline renderer (local, free): free"


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (996, "996"), (1000, "1,000"), (1_000_000, "1,000,000")]
)
def test_numbers_are_grouped_in_thousands(value: int, shown: str) -> None:
    assert number(value) == shown


def test_a_provider_billed_in_dollars_shows_an_estimate_with_its_price_tables_date_and_no_balance() -> None:
    quote = dollar_quote("google-veo", DOLLARS, DOLLARS.dollars_for(Mode.TEXT, 2, 4))

    assert (quote.unit, quote.estimate, quote.credits) == ("USD", 3.2, 0)
    assert (quote.available, quote.left, quote.enough) == (None, None, None)
    assert quote.sentence() == "about $3.20 (estimate, price table of 2026-12-03)"


def test_a_dollar_estimate_is_priced_at_the_resolution_asked_and_the_default_price_otherwise() -> None:
    assert DOLLARS.dollars_for(Mode.TEXT, 1, 8, "4k") == pytest.approx(4.8)
    assert DOLLARS.dollars_for(Mode.TEXT, 1, 8, "720p") == pytest.approx(3.2)
    # A resolution the table does not list is priced as a request naming none.
    assert DOLLARS.dollars_for(Mode.TEXT, 1, 8, "1080p") == pytest.approx(3.2)


def test_a_model_missing_from_the_price_table_has_no_estimate_and_says_so() -> None:
    quote = dollar_quote("google-veo", DOLLARS, None)

    assert quote.sentence() == "billed by Google Veo (Gemini API) in US dollars · no estimate for this model"


def test_dollars_are_grouped_with_two_decimals() -> None:
    assert (dollars(3.2), dollars(1234.5)) == ("$3.20", "$1,234.50")
