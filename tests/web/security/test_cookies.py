"""When the session cookie is Secure: always, never, or over HTTPS (X-Forwarded-Proto when trusted)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from framecast.core.settings import WebSettings
from framecast.web.security.cookies import cookie_is_secure


def request(scheme: str = "http", forwarded: str | None = None) -> Request:
    headers = [(b"host", b"studio.example")]
    if forwarded is not None:
        headers.append((b"x-forwarded-proto", forwarded.encode()))
    return Request({"type": "http", "scheme": scheme, "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    ("secure_cookies", "trust", "scheme", "forwarded", "expected"),
    [
        ("always", False, "http", None, True),
        ("never", False, "https", None, False),
        ("auto", False, "https", None, True),
        ("auto", False, "http", None, False),
        ("auto", False, "http", "https", False),  # anyone can send the header: not believed
        ("auto", True, "http", "https", True),
        ("auto", True, "http", "https, http", True),  # the client's hop comes first
        ("auto", True, "https", "http", False),  # a trusted proxy says the client used plain HTTP
        ("auto", True, "http", None, False),
    ],
)
def test_secure_follows_the_setting_and_the_request(
    secure_cookies: str, trust: bool, scheme: str, forwarded: str | None, expected: bool
) -> None:
    settings = WebSettings(secure_cookies=secure_cookies, trust_forwarded_proto=trust)  # type: ignore[arg-type]

    assert cookie_is_secure(request(scheme, forwarded), settings) is expected
