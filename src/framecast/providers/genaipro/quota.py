"""GenAIPro credits: ``/veo/me`` (one quota object) with ``/veo/credits`` (packages) as fallback.

``/veo/me`` is what the original app used; the current documentation lists only ``/veo/credits``,
an array of time-limited packages. When ``/veo/me`` answers 404 the packages that have not expired
are summed instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from framecast.core.errors import ErrorCategory, PermanentError, RefusedError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import Quota
from framecast.providers.genaipro.client import GenAIProClient
from framecast.providers.genaipro.failures import PROVIDER
from framecast.providers.genaipro.sse import parse_timestamp

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class CreditPackage:
    """One purchased package: ``quota`` credits, ``used`` of them, valid until ``expires_at``."""

    quota: int
    used: int
    expires_at: datetime | None = None  # None: does not expire

    @property
    def available(self) -> int:
        return max(0, self.quota - self.used)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class GenAIProQuotaProvider:
    """Reads credits; raises the client's :class:`ProviderError` categories on failure."""

    name = "genaipro"

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: GenAIProSettings,
        api_key: str | None = None,
        *,
        clock: Clock | None = None,
        packages_only: bool = False,
    ) -> None:
        self._client = GenAIProClient(http, config, api_key)
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        # v2 has no /veo/me: its credits are the packages alone.
        self._packages_only = packages_only

    async def read_quota(self) -> Quota:
        """Credits now; from ``/veo/me``, or the unexpired ``/veo/credits`` packages if it is gone
        (or always, with ``packages_only``)."""
        if self._packages_only:
            return self._sum(await self.list_credits())
        try:
            body = await self._client.get_json("/veo/me")
        except PermanentError as exc:
            if exc.status_code != 404:
                raise
            return self._sum(await self.list_credits())
        if not isinstance(body, dict):
            raise _shape_error("/veo/me", body)
        total = _int(body.get("total_quota"))
        used = _int(body.get("used_quota"))
        available = _int(body.get("available_quota"))
        if available is None and total is not None:
            available = max(0, total - (used or 0))
        if total is None and used is None and available is None:
            raise _shape_error("/veo/me", body)
        # Never report unlimited (None) for a paid service: unknown availability counts as none.
        return Quota(total=total, used=used, available=available if available is not None else 0)

    async def list_credits(self) -> list[CreditPackage]:
        """Every package ``/veo/credits`` lists, expired ones included."""
        body = await self._client.get_json("/veo/credits")
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            body = body["data"]
        if not isinstance(body, list):
            raise _shape_error("/veo/credits", body)
        packages: list[CreditPackage] = []
        for row in body:
            if not isinstance(row, dict):
                continue
            packages.append(
                CreditPackage(
                    quota=_int(row.get("quota")) or 0,
                    used=_int(row.get("used")) or 0,
                    expires_at=parse_timestamp(row.get("expires_at")),
                )
            )
        return packages

    def _sum(self, packages: list[CreditPackage]) -> Quota:
        now = self._clock()
        live = [package for package in packages if not package.expired(now)]
        return Quota(
            total=sum(package.quota for package in live),
            used=sum(package.used for package in live),
            available=sum(package.available for package in live),
        )


def _shape_error(path: str, body: Any) -> RefusedError:
    return RefusedError(
        f"GenAIPro's {path} answer has an unexpected shape: {str(body)[:200]!r}",
        provider=PROVIDER,
        category=ErrorCategory.SERVER,
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
