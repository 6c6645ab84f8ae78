"""The offline quota: unlimited."""

from __future__ import annotations

from framecast.providers.base import Quota, QuotaReader
from framecast.providers.offline.quota import OfflineQuotaProvider


async def test_offline_credits_are_unlimited() -> None:
    provider = OfflineQuotaProvider()

    assert isinstance(provider, QuotaReader)
    assert provider.name == "offline"
    assert await provider.read_quota() == Quota(total=None, used=None, available=None)
