"""GenAIProQuotaProvider: /veo/me, and /veo/credits packages when /veo/me is gone."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from tests.providers.genaipro.genaipro_fakes import API_KEY, FakeGenAIPro

from framecast.core.errors import PermanentError, RefusedError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import Quota, QuotaReader
from framecast.providers.genaipro.quota import CreditPackage, GenAIProQuotaProvider

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
PACKAGES = [
    {"quota": 100, "used": 23, "expires_at": "2026-06-30T23:59:59Z"},
    {"quota": 50, "used": 10, "expires_at": "2026-03-31T00:00:00Z"},  # expired
    {"quota": 10, "used": 12, "expires_at": None},  # overdrawn, never expires
]


@pytest.fixture
def provider(http: httpx.AsyncClient, config: GenAIProSettings) -> GenAIProQuotaProvider:
    return GenAIProQuotaProvider(http, config, clock=lambda: NOW)


def routes(fake: FakeGenAIPro, answers: dict[str, httpx.Response]) -> None:
    fake.respond = lambda request: answers.get(request.url.path.removeprefix("/api/v1"), httpx.Response(404))


def test_the_provider_is_a_quota_reader(provider: GenAIProQuotaProvider) -> None:
    assert isinstance(provider, QuotaReader)


async def test_the_quota_comes_from_veo_me(provider: GenAIProQuotaProvider, fake: FakeGenAIPro) -> None:
    routes(
        fake,
        {"/veo/me": httpx.Response(200, json={"total_quota": 100, "used_quota": 30, "available_quota": 70})},
    )
    assert await provider.read_quota() == Quota(total=100, used=30, available=70)
    assert fake.last.headers["authorization"] == f"Bearer {API_KEY}"
    assert [request.url.path for request in fake.requests] == ["/api/v1/veo/me"]


async def test_a_missing_available_count_is_computed(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro
) -> None:
    routes(fake, {"/veo/me": httpx.Response(200, json={"total_quota": "100", "used_quota": 30})})
    assert await provider.read_quota() == Quota(total=100, used=30, available=70)


async def test_without_veo_me_the_unexpired_packages_are_summed(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro
) -> None:
    routes(fake, {"/veo/credits": httpx.Response(200, json=PACKAGES)})
    assert await provider.read_quota() == Quota(total=110, used=35, available=77)
    assert [request.url.path for request in fake.requests] == ["/api/v1/veo/me", "/api/v1/veo/credits"]


async def test_list_credits_returns_every_package(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro
) -> None:
    routes(fake, {"/veo/credits": httpx.Response(200, json=PACKAGES)})
    packages = await provider.list_credits()
    assert packages == [
        CreditPackage(100, 23, datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)),
        CreditPackage(50, 10, datetime(2026, 3, 31, tzinfo=UTC)),
        CreditPackage(10, 12, None),
    ]
    assert [package.expired(NOW) for package in packages] == [False, True, False]
    assert [package.available for package in packages] == [77, 40, 0]


async def test_other_veo_me_errors_are_not_hidden_by_the_fallback(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro
) -> None:
    routes(
        fake,
        {
            "/veo/me": httpx.Response(401, json={"error": "Invalid token"}),
            "/veo/credits": httpx.Response(200, json=PACKAGES),
        },
    )
    with pytest.raises(PermanentError, match="Invalid token"):
        await provider.read_quota()
    assert len(fake.requests) == 1


@pytest.mark.parametrize("body", [[1, 2], {"nothing": "here"}])
async def test_an_unexpected_veo_me_shape_is_a_refusal(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro, body: object
) -> None:
    routes(fake, {"/veo/me": httpx.Response(200, json=body)})
    with pytest.raises(RefusedError, match="unexpected shape"):
        await provider.read_quota()


async def test_an_unexpected_credits_shape_is_a_refusal(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro
) -> None:
    routes(fake, {"/veo/credits": httpx.Response(200, json={"quota": 5})})
    with pytest.raises(RefusedError, match="unexpected shape"):
        await provider.list_credits()


async def test_a_refused_read_is_tried_again_after_a_pause_and_then_answers(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro
) -> None:
    answers = iter(
        [
            httpx.Response(
                503, text="<!DOCTYPE html><html>maintenance</html>", headers={"content-type": "text/html"}
            ),
            httpx.Response(429, json={"error": "Too many requests"}, headers={"Retry-After": "0"}),
            httpx.Response(200, json={"total_quota": 10, "used_quota": 1, "available_quota": 9}),
        ]
    )
    fake.respond = lambda request: next(answers)

    assert await provider.read_quota() == Quota(total=10, used=1, available=9)
    assert len(fake.requests) == 3


async def test_a_read_refused_every_time_gives_up_after_the_configured_attempts(
    provider: GenAIProQuotaProvider, fake: FakeGenAIPro, config: GenAIProSettings
) -> None:
    fake.answer(lambda: httpx.Response(500, json={"error": "Internal server error"}))

    with pytest.raises(RefusedError, match="500"):
        await provider.read_quota()
    assert len(fake.requests) == config.read_attempts


async def test_a_wrong_key_is_not_tried_again(provider: GenAIProQuotaProvider, fake: FakeGenAIPro) -> None:
    fake.answer(lambda: httpx.Response(401, json={"error": "Unauthorized"}))

    with pytest.raises(PermanentError):
        await provider.read_quota()
    assert len(fake.requests) == 1
