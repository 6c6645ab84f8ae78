"""The offline provider's quota: unlimited, since rendering locally costs nothing."""

from __future__ import annotations

from framecast.providers.base import Quota
from framecast.providers.offline.outputs import PROVIDER


class OfflineQuotaProvider:
    """Always reports unlimited credits (``available`` is ``None``)."""

    name = PROVIDER

    async def read_quota(self) -> Quota:
        return Quota(total=None, used=None, available=None)
