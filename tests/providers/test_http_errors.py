from __future__ import annotations

from datetime import UTC, datetime

import pytest

from framecast.core.errors import AmbiguousError, ErrorCategory, PermanentError, RefusedError
from framecast.providers.http_errors import STATUS_CATEGORIES, error_for_status, parse_retry_after


@pytest.mark.parametrize(
    ("status", "cls", "category"),
    [
        (401, PermanentError, ErrorCategory.AUTH),
        (402, PermanentError, ErrorCategory.QUOTA),
        (429, RefusedError, ErrorCategory.RATE_LIMIT),
        (500, RefusedError, ErrorCategory.SERVER),
        (502, AmbiguousError, ErrorCategory.AMBIGUOUS),
        (504, AmbiguousError, ErrorCategory.AMBIGUOUS),
        (418, PermanentError, ErrorCategory.INVALID_INPUT),
        (599, RefusedError, ErrorCategory.SERVER),
    ],
)
def test_statuses_map_to_the_documented_categories(status: int, cls: type, category: ErrorCategory) -> None:
    error = error_for_status(status, "x", provider="p", retry_after=3)
    assert type(error) is cls
    assert error.category is category
    assert error.status_code == status
    assert error.retry_after == 3


def test_only_refusals_are_safe_to_retry() -> None:
    for status, (cls, _) in STATUS_CATEGORIES.items():
        error = error_for_status(status, "x", provider="p")
        assert error.retry_safe is (cls is RefusedError), status


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now=now) == 7
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("Sat, 21 Nov 2026 11:00:00 GMT", now=now) == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
