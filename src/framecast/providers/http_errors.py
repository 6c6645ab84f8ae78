"""The one table from HTTP status codes to error categories, and the function that applies it.

A response refused *before* the provider accepted the work (429, 5xx, maintenance pages) is safe to
retry; an answer that leaves the outcome unknown is ambiguous. Statuses not listed fall back to
``server`` for 5xx and ``invalid_input`` for 4xx.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from framecast.core.errors import (
    AmbiguousError,
    ErrorCategory,
    PermanentError,
    ProviderError,
    RefusedError,
)

STATUS_CATEGORIES: dict[int, tuple[type[ProviderError], ErrorCategory]] = {
    400: (PermanentError, ErrorCategory.INVALID_INPUT),
    401: (PermanentError, ErrorCategory.AUTH),
    402: (PermanentError, ErrorCategory.QUOTA),
    403: (PermanentError, ErrorCategory.AUTH),
    404: (PermanentError, ErrorCategory.INVALID_INPUT),
    408: (RefusedError, ErrorCategory.REFUSED),
    413: (PermanentError, ErrorCategory.INVALID_INPUT),
    422: (PermanentError, ErrorCategory.INVALID_INPUT),
    429: (RefusedError, ErrorCategory.RATE_LIMIT),
    500: (RefusedError, ErrorCategory.SERVER),
    502: (AmbiguousError, ErrorCategory.AMBIGUOUS),  # a gateway may have forwarded the request
    503: (RefusedError, ErrorCategory.SERVER),
    504: (AmbiguousError, ErrorCategory.AMBIGUOUS),  # the upstream may have accepted it
    # Cloudflare: the origin may already hold the request when the edge gives up on it.
    520: (AmbiguousError, ErrorCategory.AMBIGUOUS),
    522: (AmbiguousError, ErrorCategory.AMBIGUOUS),
    524: (AmbiguousError, ErrorCategory.AMBIGUOUS),
}


def classify_status(status: int) -> tuple[type[ProviderError], ErrorCategory]:
    if status in STATUS_CATEGORIES:
        return STATUS_CATEGORIES[status]
    if status >= 500:
        return RefusedError, ErrorCategory.SERVER
    return PermanentError, ErrorCategory.INVALID_INPUT


def error_for_status(
    status: int, message: str, *, provider: str, retry_after: float | None = None
) -> ProviderError:
    cls, category = classify_status(status)
    return cls(message, provider=provider, category=category, status_code=status, retry_after=retry_after)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
